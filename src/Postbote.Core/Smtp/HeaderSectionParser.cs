using System.Runtime.CompilerServices;

namespace Postbote.Core.Smtp;

/// <summary>
/// Reads the header section (RFC 5322 §2.1) of a message as its bytes stream past, however they are cut, and keeps
/// only what the accept path judges: the number of Received: fields (loop detection, RFC 5321 §6.3) and, for From:,
/// Sender:, Message-ID: and Date:, how often each occurs and the unfolded value of the first From: and Sender:
/// (each capped; a longer one is marked <see cref="HeaderFieldValue.IsTooLong"/>). It sees the whole header section,
/// whatever its size (the message size limit bounds it), holds no copy of it, and stops at its end: the body is
/// never looked at, so the cost per message is one pass over the header bytes.
/// </summary>
/// <remarks>
/// Field names may be followed by white space before the colon (RFC 5322 §4.5.3, obs-optional: "From : x"), and
/// are matched case-insensitively. A continuation line (starting with SP or HTAB) belongs to the field before it
/// (§2.2.3). The section ends at the first empty line, or, as Postfix's cleanup has it, at the first line that is
/// not a header field (no colon after a valid field name), which is then the start of the body. Lenient readers
/// (some MUAs) go on reading fields after such a line; so, from there to the next empty line, lines that look like a
/// From: or Sender: field are still noticed (<see cref="AuthorFieldAfterEnd"/>), and the sender check fails closed.
/// </remarks>
public sealed class HeaderSectionParser
{
    /// <summary>Default cap of a kept value: 8 lines of RFC 5322 §2.1.1's 998 octets, far above any real From:.</summary>
    public const int DefaultMaxFieldValueBytes = 998 * 8;

    private const int NameCapacity = 16; // longer than every watched name ("message-id" is 10)

    private enum State : byte { LineStart, Name, NameSpace, Value }
    private enum Trailing : byte { Off, LineStart, Name, NameSpace, SkipLine, Done }

    [InlineArray(NameCapacity)]
    private struct NameBuffer
    {
        private byte _first;
    }

    private State _state = State.LineStart;
    private NameBuffer _name;
    private int _nameLength;
    private bool _inField;
    private bool _pendingCr;
    private long _lineBegin;
    private HeaderFieldValue? _current;
    private Trailing _trailing;

    public HeaderSectionParser(int maxFieldValueBytes = DefaultMaxFieldValueBytes)
    {
        From = new HeaderFieldValue(keepValue: true, maxFieldValueBytes);
        Sender = new HeaderFieldValue(keepValue: true, maxFieldValueBytes);
        MessageId = new HeaderFieldValue(keepValue: false, maxFieldValueBytes);
        Date = new HeaderFieldValue(keepValue: false, maxFieldValueBytes);
    }

    public int ReceivedCount { get; private set; }
    /// <summary>The end of the header section was seen.</summary>
    public bool Complete { get; private set; }
    /// <summary>The section was ended by a line that is not a header field rather than by an empty line.</summary>
    public bool EndedByNonFieldLine { get; private set; }
    /// <summary>Octets of the header section: with the empty line when it ended so, without the non-field line otherwise.</summary>
    public long Length { get; private set; }
    /// <summary>
    /// After a non-field line ended the section, a line looking like a From: or Sender: field came before the next
    /// empty line: a lenient reader may take it for the author, so the author cannot be judged.
    /// </summary>
    public bool AuthorFieldAfterEnd { get; private set; }

    public HeaderFieldValue From { get; }
    public HeaderFieldValue Sender { get; }
    public HeaderFieldValue MessageId { get; }
    public HeaderFieldValue Date { get; }

    public void Scan(ReadOnlySpan<byte> bytes)
    {
        if (Complete)
        {
            if (_trailing is not (Trailing.Off or Trailing.Done)) ScanTrailing(bytes);
            return;
        }
        int i = 0;
        while (i < bytes.Length)
        {
            switch (_state)
            {
                case State.Value:
                {
                    var rest = bytes[i..];
                    int lf = rest.IndexOf((byte)'\n');
                    if (_current is not null) AppendValue(lf < 0 ? rest : rest[..lf], lineEnds: lf >= 0);
                    if (lf < 0)
                    {
                        i = bytes.Length;
                        break;
                    }
                    i += lf + 1;
                    _state = State.LineStart;
                    break;
                }
                case State.LineStart:
                {
                    byte b = bytes[i];
                    if (b == (byte)'\r') { i++; break; } // the CR of an empty line
                    if (b == (byte)'\n')
                    {
                        End(i + 1, nonField: false);
                        return;
                    }
                    _lineBegin = Length + i;
                    if (b is (byte)' ' or (byte)'\t')
                    {
                        if (!_inField)
                        {
                            End(i, nonField: true);
                            ScanTrailing(bytes[i..]);
                            return;
                        }
                        _state = State.Value; // the folding white space is part of the value
                        break;
                    }
                    _current?.End();
                    _current = null;
                    _nameLength = 0;
                    _state = State.Name;
                    break;
                }
                case State.Name:
                {
                    byte b = bytes[i];
                    if (b == (byte)':' && _nameLength > 0) { EndName(); i++; }
                    else if (b is (byte)' ' or (byte)'\t' && _nameLength > 0) { _state = State.NameSpace; i++; }
                    else if (b > 32 && b < 127 && b != (byte)':')
                    {
                        if (_nameLength < NameCapacity) _name[_nameLength] = (byte)(b | 0x20); // ASCII lower case; no other ftext maps onto a-z or '-'
                        _nameLength++;
                        i++;
                    }
                    else
                    {
                        End(i, nonField: true);
                        ScanTrailing(bytes[i..]);
                        return;
                    }
                    break;
                }
                default: // State.NameSpace: obs-optional white space between the name and the colon
                {
                    byte b = bytes[i];
                    if (b == (byte)':') { EndName(); i++; }
                    else if (b is (byte)' ' or (byte)'\t') i++;
                    else
                    {
                        End(i, nonField: true);
                        ScanTrailing(bytes[i..]);
                        return;
                    }
                    break;
                }
            }
        }
        Length += bytes.Length;
    }

    private void EndName()
    {
        _inField = true;
        _state = State.Value;
        if (_nameLength > NameCapacity) return;
        ReadOnlySpan<byte> name = _name[.._nameLength];
        if (name.SequenceEqual("received"u8)) ReceivedCount++;
        else if (name.SequenceEqual("from"u8)) _current = From;
        else if (name.SequenceEqual("sender"u8)) _current = Sender;
        else if (name.SequenceEqual("message-id"u8)) _current = MessageId;
        else if (name.SequenceEqual("date"u8)) _current = Date;
        _current?.Begin();
        _pendingCr = false;
    }

    private void AppendValue(ReadOnlySpan<byte> segment, bool lineEnds)
    {
        if (_pendingCr)
        {
            _pendingCr = false;
            if (!(lineEnds && segment.IsEmpty)) _current!.Append("\r"u8);
        }
        if (!segment.IsEmpty && segment[^1] == (byte)'\r')
        {
            segment = segment[..^1];
            _pendingCr = !lineEnds; // a CR at the end of a piece may be the first half of the line end
        }
        _current!.Append(segment);
    }

    private void End(int consumed, bool nonField)
    {
        _current?.End();
        _current = null;
        Complete = true;
        EndedByNonFieldLine = nonField;
        Length = nonField ? _lineBegin : Length + consumed;
        if (nonField) _trailing = Trailing.SkipLine; // the rest of the non-field line is not a field
    }

    /// <summary>After a non-field line: notices From:/Sender:-looking lines up to the next empty line (one pass, no copy).</summary>
    private void ScanTrailing(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length && _trailing != Trailing.Done)
        {
            byte b = bytes[i];
            switch (_trailing)
            {
                case Trailing.SkipLine:
                {
                    int lf = bytes[i..].IndexOf((byte)'\n');
                    if (lf < 0) return;
                    i += lf + 1;
                    _trailing = Trailing.LineStart;
                    break;
                }
                case Trailing.LineStart:
                    if (b == (byte)'\r') { i++; break; }
                    if (b == (byte)'\n') { _trailing = Trailing.Done; break; }
                    _nameLength = 0;
                    _trailing = Trailing.Name;
                    break;
                case Trailing.Name:
                    if (b == (byte)':' && _nameLength > 0) { TrailingName(); i++; }
                    else if (b is (byte)' ' or (byte)'\t' && _nameLength > 0) { _trailing = Trailing.NameSpace; i++; }
                    else if (b > 32 && b < 127)
                    {
                        if (_nameLength < NameCapacity) _name[_nameLength] = (byte)(b | 0x20);
                        _nameLength++;
                        i++;
                    }
                    else _trailing = Trailing.SkipLine;
                    break;
                default: // Trailing.NameSpace
                    if (b == (byte)':') { TrailingName(); i++; }
                    else if (b is (byte)' ' or (byte)'\t') i++;
                    else _trailing = Trailing.SkipLine;
                    break;
            }
        }
    }

    private void TrailingName()
    {
        ReadOnlySpan<byte> name = _name[..Math.Min(_nameLength, NameCapacity)];
        if (_nameLength <= NameCapacity && (name.SequenceEqual("from"u8) || name.SequenceEqual("sender"u8))) AuthorFieldAfterEnd = true;
        _trailing = Trailing.SkipLine;
    }
}
