using System.Buffers;
using System.Text;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// Splits a raw header section into its fields (RFC 5322 §2.2: a field goes on while the next line starts with
/// SP or HTAB), each a range of the section's bytes with its final CRLF. The section may end with or without the
/// empty line; a line without a colon ends it, as for the accept path's <c>HeaderSectionParser</c>.
/// </summary>
public static class DkimHeaderFields
{
    public static List<Range> Split(ReadOnlySpan<byte> section)
    {
        var fields = new List<Range>();
        int start = 0, pos = 0;
        while (pos < section.Length)
        {
            int lf = section[pos..].IndexOf((byte)'\n');
            int next = lf < 0 ? section.Length : pos + lf + 1;
            bool continues = next < section.Length && section[next] is (byte)' ' or (byte)'\t';
            if (pos == start && (next - pos <= 2 && section[pos] is (byte)'\r' or (byte)'\n' || section[pos..next].IndexOf((byte)':') < 0))
                break; // the empty line, or a line that is not a field: the body starts here
            pos = next;
            if (!continues)
            {
                fields.Add(start..pos);
                start = pos;
            }
        }
        return fields;
    }

    /// <summary>The octets of the header section: up to and including the empty line that ends it, if there is one.</summary>
    public static int SectionLength(ReadOnlySpan<byte> message)
    {
        if (message.StartsWith("\r\n"u8)) return 2;
        int end = message.IndexOf("\r\n\r\n"u8);
        return end < 0 ? message.Length : end + 4;
    }

    /// <summary>RFC 6376 §5.4.2: the fields named in h=, each name taking its instances from the bottom up; a name listed more often than it occurs adds nothing.</summary>
    public static void AppendSigned(DkimCanonicalization mode, ReadOnlySpan<byte> header, List<Range> fields, IReadOnlyList<string> names, IBufferWriter<byte> output)
    {
        var used = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            int skip = used.GetValueOrDefault(name);
            used[name] = skip + 1;
            var nameBytes = Encoding.ASCII.GetBytes(name);
            for (int i = fields.Count - 1; i >= 0; i--)
            {
                var field = header[fields[i]];
                if (!Ascii.EqualsIgnoreCase(DkimHeaderCanonicalizer.NameOf(field), nameBytes)) continue;
                if (skip-- > 0) continue;
                DkimHeaderCanonicalizer.Canonicalize(mode, field, output);
                break;
            }
        }
    }
}
