using System.Text;

namespace Postbote.Delivery.Smtp;

/// <summary>RFC 3461 §4 xtext encoding of ENVID and ORCPT values.</summary>
internal static class Xtext
{
    /// <summary>Encodes <paramref name="value"/>: "+", "=", controls, space and non-ASCII become "+HH".</summary>
    public static string Encode(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= 33 and <= 126 && b != (byte)'+' && b != (byte)'=')
                sb.Append((char)b);
            else
                sb.Append('+').Append(b.ToString("X2"));
        }
        return sb.ToString();
    }
}
