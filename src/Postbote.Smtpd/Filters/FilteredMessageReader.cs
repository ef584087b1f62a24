using Postbote.Queue;

namespace Postbote.Smtpd.Filters;

/// <summary>Builds a <see cref="FilteredMessage"/> from the spool file being received: its header section is read back and split into fields.</summary>
public static class FilteredMessageReader
{
    public static async ValueTask<FilteredMessage> ReadAsync(IncomingMessage incoming, CancellationToken ct)
    {
        long headerEnd = incoming.Headers.Complete ? incoming.Headers.Length : incoming.Length;
        if (headerEnd > int.MaxValue) throw new IOException("header section too large to filter");
        var bytes = new byte[headerEnd];
        int done = 0;
        while (done < bytes.Length)
        {
            int n = await incoming.ReadWrittenAsync(done, bytes.AsMemory(done), ct).ConfigureAwait(false);
            if (n <= 0) throw new IOException("spool file shorter than written");
            done += n;
        }
        var (fields, fieldsEnd) = Split(bytes);
        return new FilteredMessage(fields, bytes.AsMemory(fieldsEnd), headerEnd, incoming.Length);
    }

    /// <summary>
    /// The header fields of a header section (each with its continuation lines and CRLF), and where they end: what
    /// follows is the empty line, or a line that is no field (kept as it is).
    /// </summary>
    public static (List<HeaderField> Fields, int End) Split(byte[] section)
    {
        var fields = new List<HeaderField>();
        int pos = 0, fieldStart = -1;
        while (pos < section.Length)
        {
            int lf = Array.IndexOf(section, (byte)'\n', pos);
            int lineEnd = lf < 0 ? section.Length : lf + 1;
            byte first = section[pos];
            bool continuation = first is (byte)' ' or (byte)'\t';
            if (continuation && fieldStart >= 0)
            {
                pos = lineEnd;
                continue;
            }
            if (fieldStart >= 0) fields.Add(HeaderField.Original(section.AsMemory(fieldStart, pos - fieldStart)));
            fieldStart = -1;
            int colon = Array.IndexOf(section, (byte)':', pos, lineEnd - pos);
            if (continuation || colon <= pos || first is (byte)'\r' or (byte)'\n') return (fields, pos);
            fieldStart = pos;
            pos = lineEnd;
        }
        if (fieldStart >= 0) fields.Add(HeaderField.Original(section.AsMemory(fieldStart, pos - fieldStart)));
        return (fields, pos);
    }
}
