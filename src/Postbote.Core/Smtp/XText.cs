using System.Text;

namespace Postbote.Core.Smtp;

/// <summary>The xtext encoding of RFC 3461 §4 (ENVID, ORCPT, AUTH=).</summary>
public static class XText
{
    public static string? Decode(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '+')
            {
                if (i + 2 >= text.Length || !IsHex(text[i + 1]) || !IsHex(text[i + 2])) return null;
                sb.Append((char)Convert.ToByte(text.Slice(i + 1, 2).ToString(), 16));
                i += 2;
            }
            else if (c < 33 || c > 126 || c == '=') return null;
            else sb.Append(c);
        }
        return sb.ToString();
    }

    public static string Encode(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (b < 33 || b > 126 || b == '+' || b == '=') sb.Append('+').Append(b.ToString("X2"));
            else sb.Append((char)b);
        }
        return sb.ToString();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
