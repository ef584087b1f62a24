using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>Strict UTF-8 decoding for SASL payloads (invalid sequences are malformed input, not U+FFFD).</summary>
internal static class SaslText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out string? text)
    {
        try
        {
            text = Strict.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = null;
            return false;
        }
    }

    public static byte[] Encode(string text) => Encoding.UTF8.GetBytes(text);
}
