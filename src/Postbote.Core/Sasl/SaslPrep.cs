using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>
/// SASLprep (RFC 4013, the stringprep profile of RFC 3454) for user names and passwords:
/// non-ASCII spaces map to SPACE, "commonly mapped to nothing" characters are removed, the result is normalized
/// to Unicode form KC, and prohibited characters (controls, private use, non-characters, surrogates, tagging,
/// change-display characters) are rejected.
/// Limits: the bidirectional check (RFC 3454 §6) and the unassigned-code-point check are not done; and when the
/// process runs with InvariantGlobalization, .NET's NFKC normalization leaves non-ASCII text unchanged. Both sides
/// (stored keys and login) use this same function, so an ASCII or already-normalized password always works.
/// </summary>
public static class SaslPrep
{
    /// <summary>Prepares <paramref name="input"/>; false when it contains a prohibited character.</summary>
    public static bool TryPrepare(string input, [NotNullWhen(true)] out string? prepared)
    {
        prepared = null;
        bool ascii = true;
        foreach (char c in input)
        {
            if (c >= 0x80) { ascii = false; break; }
        }
        if (ascii)
        {
            foreach (char c in input)
                if (c < 0x20 || c == 0x7F) return false;
            prepared = input;
            return true;
        }

        var mapped = new StringBuilder(input.Length);
        for (int i = 0; i < input.Length; i++)
        {
            char c = input[i];
            if (char.IsSurrogate(c))
            {
                if (!char.IsSurrogatePair(input, i)) return false; // C.5: lone surrogate
                mapped.Append(c).Append(input[++i]);
                continue;
            }
            if (IsMappedToNothing(c)) continue;
            mapped.Append(IsNonAsciiSpace(c) ? ' ' : c);
        }

        string normalized;
        try
        {
            normalized = mapped.ToString().Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return false;
        }

        for (int i = 0; i < normalized.Length; i++)
        {
            int cp;
            if (char.IsHighSurrogate(normalized[i]) && i + 1 < normalized.Length && char.IsLowSurrogate(normalized[i + 1]))
                cp = char.ConvertToUtf32(normalized[i], normalized[++i]);
            else if (char.IsSurrogate(normalized[i]))
                return false;
            else
                cp = normalized[i];
            if (IsProhibited(cp)) return false;
        }
        prepared = normalized;
        return true;
    }

    /// <summary>Prepares <paramref name="input"/> or throws <see cref="ArgumentException"/> (for admin input).</summary>
    public static string Prepare(string input) =>
        TryPrepare(input, out var prepared) ? prepared : throw new ArgumentException("The text contains characters SASLprep prohibits.", nameof(input));

    // RFC 3454 B.1
    private static bool IsMappedToNothing(char c) =>
        c is '\u00AD' or '\u034F' or '\u1806' or (>= '\u180B' and <= '\u180D') or (>= '\u200B' and <= '\u200D')
          or '\u2060' or (>= '\uFE00' and <= '\uFE0F') or '\uFEFF';

    // RFC 3454 C.1.2
    private static bool IsNonAsciiSpace(char c) =>
        c is '\u00A0' or '\u1680' or (>= '\u2000' and <= '\u200B') or '\u202F' or '\u205F' or '\u3000';

    // RFC 3454 C.2.1, C.2.2, C.3, C.4, C.6, C.7, C.8, C.9 (C.1.2 is mapped, C.5 checked on input)
    private static bool IsProhibited(int cp) =>
        cp < 0x20 || cp == 0x7F
        || (cp >= 0x80 && cp <= 0x9F)
        || cp is 0x06DD or 0x070F or 0x180E or 0x200C or 0x200D or 0x2028 or 0x2029 or 0xFEFF
        || (cp >= 0x2060 && cp <= 0x2063) || (cp >= 0x206A && cp <= 0x206F)
        || (cp >= 0xFFF9 && cp <= 0xFFFD) || (cp >= 0x1D173 && cp <= 0x1D17A)
        || (cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xF0000 && cp <= 0xFFFFD) || (cp >= 0x100000 && cp <= 0x10FFFD)
        || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE
        || (cp >= 0x2FF0 && cp <= 0x2FFB)
        || cp is 0x0340 or 0x0341 or 0x200E or 0x200F || (cp >= 0x202A && cp <= 0x202E)
        || cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F);
}
