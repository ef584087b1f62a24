using System.Buffers;
using System.Text;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// One header field of a message being filtered: its name and value as filters see them, and its original bytes
/// (CRLF included) while it is unchanged, so that a rewrite copies untouched fields byte for byte.
/// </summary>
public sealed class HeaderField
{
    private HeaderField(string name, string value, ReadOnlyMemory<byte> raw) => (Name, Value, Raw) = (name, value, raw);

    public string Name { get; }
    /// <summary>Everything after the colon, without the final CRLF; folds are "\r\n" plus white space.</summary>
    public string Value { get; }
    /// <summary>The field as stored (empty for a field a filter added or changed).</summary>
    public ReadOnlyMemory<byte> Raw { get; }
    public bool IsOriginal => !Raw.IsEmpty;

    /// <summary>A field from the stored message.</summary>
    public static HeaderField Original(ReadOnlyMemory<byte> raw)
    {
        var span = raw.Span;
        int colon = span.IndexOf((byte)':');
        int end = span.Length;
        if (end >= 2 && span[end - 2] == '\r' && span[end - 1] == '\n') end -= 2;
        var name = Encoding.UTF8.GetString(span[..colon]).TrimEnd(' ', '\t');
        var value = Encoding.UTF8.GetString(span[(colon + 1)..end]);
        return new HeaderField(name, value, raw);
    }

    /// <summary>
    /// A field from a filter: its folds ("\n" or "\r\n", as libmilter sends them) stored as CRLF; a value without
    /// leading white space gets the customary one space after the colon.
    /// </summary>
    public static HeaderField FromFilter(string name, string value, bool keepLeadingSpace)
    {
        var normalised = value.Replace("\r\n", "\n").Replace('\r', '\n').Replace("\n", "\r\n");
        if (!keepLeadingSpace || normalised.Length == 0 || normalised[0] is not (' ' or '\t')) normalised = " " + normalised;
        return new HeaderField(name, normalised, ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>The value as sent to a filter: folds as "\n" (libmilter's form), the leading white space removed unless asked for.</summary>
    public string ValueForFilter(bool keepLeadingSpace)
    {
        var v = Value.Replace("\r\n", "\n");
        return keepLeadingSpace ? v : v.TrimStart(' ', '\t');
    }

    /// <summary>The field's bytes in the message: the original ones, or "Name:value\r\n".</summary>
    public void WriteTo(System.Buffers.IBufferWriter<byte> writer)
    {
        if (IsOriginal)
        {
            writer.Write(Raw.Span);
            return;
        }
        var text = Name + ":" + Value + "\r\n";
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        int n = Encoding.UTF8.GetBytes(text, writer.GetSpan(max));
        writer.Advance(n);
    }

    public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);
}
