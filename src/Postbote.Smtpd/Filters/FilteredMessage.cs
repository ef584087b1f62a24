namespace Postbote.Smtpd.Filters;

/// <summary>
/// The message as the filters have left it so far: its header fields (original bytes where unchanged), where the
/// stored body starts, a replacement body if one was given, and the envelope changes. Built from the spool file's
/// header section at end of data; <see cref="Changed"/> says whether a new spool file must be written.
/// </summary>
public sealed class FilteredMessage
{
    public FilteredMessage(List<HeaderField> headers, ReadOnlyMemory<byte> separator, long bodyOffset, long storedLength)
    {
        Headers = headers;
        Separator = separator;
        BodyOffset = bodyOffset;
        StoredLength = storedLength;
    }

    public List<HeaderField> Headers { get; }
    /// <summary>The bytes between the last field and the body as stored: the empty line, or nothing.</summary>
    public ReadOnlyMemory<byte> Separator { get; }
    /// <summary>Where the body starts in the stored file.</summary>
    public long BodyOffset { get; }
    public long StoredLength { get; }
    /// <summary>A body a filter replaced the stored one with (CRLF line ends); null: the stored body.</summary>
    public byte[]? ReplacementBody { get; set; }
    public bool HeadersChanged { get; private set; }
    public bool Changed => HeadersChanged || ReplacementBody is not null;

    /// <summary>A new envelope sender (angle brackets removed); null: unchanged.</summary>
    public string? NewSender { get; set; }
    public List<string> AddedRecipients { get; } = new();
    public List<string> DeletedRecipients { get; } = new();
    /// <summary>A filter asked for the message to go to the hold queue, with this reason.</summary>
    public string? QuarantineReason { get; set; }

    public long BodyLength => ReplacementBody?.Length ?? StoredLength - BodyOffset;

    /// <summary>Appends a field at the end of the header section (smfi_addheader).</summary>
    public void Add(HeaderField field)
    {
        Headers.Add(field);
        HeadersChanged = true;
    }

    /// <summary>Inserts a field before the field at <paramref name="index"/> (0: at the top; past the end: at the end), smfi_insheader.</summary>
    public void Insert(int index, HeaderField field)
    {
        Headers.Insert(Math.Clamp(index, 0, Headers.Count), field);
        HeadersChanged = true;
    }

    /// <summary>
    /// Replaces the <paramref name="occurrence"/>-th field called <paramref name="name"/> (1-based), deletes it when
    /// <paramref name="field"/> is null; a change of a field that is not there adds it (smfi_chgheader).
    /// </summary>
    public void Change(string name, int occurrence, HeaderField? field)
    {
        int seen = 0;
        for (int i = 0; i < Headers.Count; i++)
        {
            if (!Headers[i].Is(name) || ++seen != Math.Max(occurrence, 1)) continue;
            if (field is null) Headers.RemoveAt(i);
            else Headers[i] = field;
            HeadersChanged = true;
            return;
        }
        if (field is not null) Add(field);
    }

    /// <summary>Removes every field called <paramref name="name"/> (rspamd's remove_headers with 0).</summary>
    public void RemoveAll(string name)
    {
        if (Headers.RemoveAll(h => h.Is(name)) > 0) HeadersChanged = true;
    }
}
