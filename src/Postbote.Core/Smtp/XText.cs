using System.Text;

namespace Postbote.Core.Smtp;

/// <summary>The xtext encoding of RFC 3461 §4 (ENVID, ORCPT, AUTH=).</summary>
public static class XText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decodes xtext: "+HH" is one octet, every other character stands for itself. The octets are read as UTF-8, the
    /// encoding <see cref="Encode"/> writes; null for malformed xtext or octets that are not UTF-8.
    /// </summary>
    public static string? Decode(ReadOnlySpan<char> text)
    {
        Span<byte> octets = text.Length <= 256 ? stackalloc byte[text.Length] : new byte[text.Length];
        int n = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '+')
            {
                if (i + 2 >= text.Length || !IsHex(text[i + 1]) || !IsHex(text[i + 2])) return null;
                octets[n++] = (byte)(HexValue(text[i + 1]) << 4 | HexValue(text[i + 2]));
                i += 2;
            }
            else if (c < 33 || c > 126 || c == '=') return null;
            else octets[n++] = (byte)c;
        }
        try
        {
            return StrictUtf8.GetString(octets[..n]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
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

    /// <summary>
    /// RFC 3461 §4.2 and §4.4: a decoded ENVID or ORCPT address consists of printable US-ASCII (graphic characters
    /// and the space), since it is written into the delivery-status part of a DSN. No control character, no DEL.
    /// </summary>
    public static bool IsPrintableAscii(ReadOnlySpan<char> value) => !value.ContainsAnyExceptInRange(' ', '~');

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
