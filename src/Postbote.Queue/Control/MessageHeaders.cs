using System.Text;

namespace Postbote.Queue.Control;

/// <summary>Reads the header section of a stored message (unfolded, one string per field) for <c>queue show</c>.</summary>
public static class MessageHeaders
{
    private const int MaxHeaderBytes = 256 * 1024;

    public static IReadOnlyList<string> Read(Stream message)
    {
        var buffer = new byte[MaxHeaderBytes];
        int length = 0, n;
        while (length < buffer.Length && (n = message.Read(buffer, length, buffer.Length - length)) > 0) length += n;
        var text = Encoding.UTF8.GetString(buffer, 0, length);
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) end = text.IndexOf("\n\n", StringComparison.Ordinal);
        if (end >= 0) text = text[..end];
        var fields = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) break;
            if ((line[0] == ' ' || line[0] == '\t') && fields.Count > 0) fields[^1] += " " + line.Trim();
            else fields.Add(line);
        }
        return fields;
    }
}
