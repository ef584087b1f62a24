namespace Postbote.Core.Smtp;

/// <summary>
/// What <see cref="HeaderSectionParser"/> keeps of one header field name (From:, Sender:, Message-ID:, Date:): how many
/// times it occurs and, where asked for, the unfolded value of its first occurrence (RFC 5322 §2.2.3), up to a cap.
/// </summary>
public sealed class HeaderFieldValue
{
    private readonly bool _keepValue;
    private readonly int _maxValueBytes;
    private byte[]? _value;
    private int _length;
    private bool _collecting;
    private string? _text;

    internal HeaderFieldValue(bool keepValue, int maxValueBytes)
    {
        _keepValue = keepValue;
        _maxValueBytes = maxValueBytes;
    }

    /// <summary>How many fields of this name the header section holds.</summary>
    public int Count { get; private set; }

    /// <summary>The first field's value was longer than the cap: it was not kept and cannot be judged.</summary>
    public bool IsTooLong { get; private set; }

    /// <summary>
    /// The unfolded value of the first field (CRLF before folding white space removed, outer white space trimmed),
    /// decoded as UTF-8; null when there is none, when values are not kept for this name, or when it was too long.
    /// </summary>
    public string? Value
    {
        get
        {
            if (!_keepValue || Count == 0 || IsTooLong) return null;
            return _text ??= System.Text.Encoding.UTF8.GetString(_value ?? [], 0, _length).Trim(' ', '\t');
        }
    }

    /// <summary>A field of this name begins (its colon was read).</summary>
    internal void Begin()
    {
        Count++;
        _collecting = _keepValue && Count == 1;
    }

    /// <summary>The current field ended (the next line is not a continuation line).</summary>
    internal void End() => _collecting = false;

    /// <summary>Appends value bytes of the current field (no CR or LF).</summary>
    internal void Append(ReadOnlySpan<byte> bytes)
    {
        if (!_collecting || bytes.IsEmpty) return;
        if (_length + bytes.Length > _maxValueBytes)
        {
            IsTooLong = true;
            _collecting = false;
            _value = null;
            return;
        }
        if (_value is null || _value.Length - _length < bytes.Length)
        {
            var grown = new byte[Math.Min(_maxValueBytes, Math.Max(Math.Max(128, (_value?.Length ?? 0) * 2), _length + bytes.Length))];
            _value?.AsSpan(0, _length).CopyTo(grown);
            _value = grown;
        }
        bytes.CopyTo(_value.AsSpan(_length));
        _length += bytes.Length;
    }
}
