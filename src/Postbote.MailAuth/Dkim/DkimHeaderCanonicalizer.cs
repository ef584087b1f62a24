using System.Buffers;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// Header canonicalisation (RFC 6376 §3.4.1, §3.4.2) over the raw bytes of one header field, its name, colon,
/// value and any folding, with or without its final CRLF. Pure: bytes in, canonical bytes appended to a writer.
/// </summary>
public static class DkimHeaderCanonicalizer
{
    /// <summary>
    /// Appends the canonical form of <paramref name="field"/>: "simple" leaves it unchanged; "relaxed" lower-cases
    /// the name, unfolds, turns every run of SP/HTAB into one SP, drops white space at the end of the value and
    /// around the colon (§3.4.2). With <paramref name="withCrlf"/> the result ends with CRLF, as every signed field
    /// does in the hash; the DKIM-Signature field itself is hashed without it (§3.7).
    /// </summary>
    public static void Canonicalize(DkimCanonicalization mode, ReadOnlySpan<byte> field, IBufferWriter<byte> output, bool withCrlf = true)
    {
        if (field.EndsWith("\r\n"u8)) field = field[..^2];
        if (mode == DkimCanonicalization.Simple)
        {
            output.Write(field);
            if (withCrlf) output.Write("\r\n"u8);
            return;
        }
        int colon = field.IndexOf((byte)':');
        if (colon < 0) colon = field.Length;
        var name = field[..colon].TrimEnd(" \t"u8);
        var span = output.GetSpan(field.Length + 3);
        int n = 0;
        foreach (byte b in name) span[n++] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        span[n++] = (byte)':';
        bool pendingSpace = false, any = false;
        var value = colon < field.Length ? field[(colon + 1)..] : default;
        foreach (byte b in value)
        {
            if (b is (byte)'\r' or (byte)'\n') continue; // unfolding: the CRLF of a fold goes, its WSP stays
            if (b is (byte)' ' or (byte)'\t')
            {
                pendingSpace = any; // white space after the colon is dropped
                continue;
            }
            if (pendingSpace) span[n++] = (byte)' ';
            pendingSpace = false;
            span[n++] = b;
            any = true;
        }
        if (withCrlf)
        {
            span[n++] = (byte)'\r';
            span[n++] = (byte)'\n';
        }
        output.Advance(n);
    }

    /// <summary>The field name (before the colon, white space trimmed) of a raw header field.</summary>
    public static ReadOnlySpan<byte> NameOf(ReadOnlySpan<byte> field)
    {
        int colon = field.IndexOf((byte)':');
        return (colon < 0 ? field : field[..colon]).TrimEnd(" \t"u8);
    }
}
