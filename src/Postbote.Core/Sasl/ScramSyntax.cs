using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>The attribute syntax of SCRAM messages (RFC 5802 §7), shared by client and server.</summary>
internal static class ScramSyntax
{
    /// <summary>Splits "a=x,b=y" into attributes; false when a part is not "letter=value".</summary>
    public static bool TrySplit(string text, [NotNullWhen(true)] out List<KeyValuePair<char, string>>? attributes)
    {
        attributes = new List<KeyValuePair<char, string>>();
        foreach (var part in text.Split(','))
        {
            if (part.Length < 2 || part[1] != '=' || !char.IsAsciiLetter(part[0]))
            {
                attributes = null;
                return false;
            }
            attributes.Add(new(part[0], part[2..]));
        }
        return true;
    }

    /// <summary>Decodes a saslname: "=2C" is ",", "=3D" is "=", any other "=" is an error.</summary>
    public static bool TryDecodeName(string value, [NotNullWhen(true)] out string? name)
    {
        name = null;
        if (value.IndexOf('=') < 0)
        {
            name = value;
            return value.Length > 0;
        }
        var sb = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != '=') { sb.Append(value[i]); continue; }
            if (i + 2 >= value.Length) return false;
            string code = value.Substring(i + 1, 2);
            if (code == "2C") sb.Append(',');
            else if (code == "3D") sb.Append('=');
            else return false;
            i += 2;
        }
        name = sb.ToString();
        return name.Length > 0;
    }

    public static string EncodeName(string name) => name.Replace("=", "=3D").Replace(",", "=2C");

    /// <summary>A nonce is printable ASCII except ",".</summary>
    public static bool IsValidNonce(string nonce)
    {
        if (nonce.Length == 0) return false;
        foreach (char c in nonce)
            if (c < 0x21 || c > 0x7E || c == ',') return false;
        return true;
    }

    public static bool TryFromBase64(string value, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = new byte[(value.Length * 3 + 3) / 4];
        if (Convert.TryFromBase64String(value, bytes, out int written))
        {
            bytes = bytes[..written];
            return true;
        }
        bytes = null;
        return false;
    }
}
