using System.Buffers;

namespace Postbote.Core.Smtp;

/// <summary>
/// The DATA phase as a streaming byte state machine (RFC 5321 §4.1.1.4, §4.5.2; EXAMPLES.md pattern 4).
/// It undoes dot-stuffing, ends only at a real &lt;CRLF&gt;.&lt;CRLF&gt;, and never takes a bare CR or LF for a
/// line end: such bytes are passed through and flagged (<see cref="SawBareLineEnding"/>), so the session can
/// refuse the message (the SMTP smuggling defence) without ever splitting it in two. Bytes past
/// <see cref="MaxSize"/> are counted but no longer written, so the dialogue stays in sync until the terminator.
/// <see cref="ForChunks"/> makes the same checks over BDAT chunks (RFC 3030), whose bytes are taken as they are:
/// no dot-unstuffing, no terminator; a message's chunks go through one decoder, then <see cref="FinishChunks"/>.
/// </summary>
public sealed class DataDecoder
{
    private enum State : byte { LineStart, InLine, Cr, Dot, DotCr }

    private State _state = State.LineStart;
    private int _lineLength;

    public DataDecoder(long maxSize, int maxLineLength = 998)
        : this(maxSize, maxLineLength, chunked: false)
    {
    }

    private DataDecoder(long maxSize, int maxLineLength, bool chunked)
    {
        MaxSize = maxSize;
        MaxLineLength = maxLineLength;
        Chunked = chunked;
    }

    /// <summary>A decoder for the chunks of one BDAT message: the bytes pass unchanged, the checks are DATA's.</summary>
    public static DataDecoder ForChunks(long maxSize, int maxLineLength = 998) => new(maxSize, maxLineLength, chunked: true);

    public long MaxSize { get; }
    /// <summary>BDAT: a "." at a line start is data and nothing ends the message but the LAST chunk.</summary>
    public bool Chunked { get; }
    public int MaxLineLength { get; }
    /// <summary>Decoded octets so far (including those discarded past the limit).</summary>
    public long Size { get; private set; }
    public bool Oversized => Size > MaxSize;
    public bool SawBareLineEnding { get; private set; }
    public bool SawLongLine { get; private set; }
    public bool SawEightBit { get; private set; }
    public bool Completed { get; private set; }

    /// <summary>
    /// Decodes <paramref name="input"/> into <paramref name="output"/>. Returns how many input bytes were
    /// consumed: all of them, or fewer when the terminator was found (then <see cref="Completed"/> is set and
    /// the returned count includes the terminator; the rest belongs to the next command).
    /// </summary>
    public int Decode(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        int i = 0;
        while (i < input.Length && !Completed)
        {
            byte b = input[i];
            switch (_state)
            {
                case State.LineStart:
                    if (b == (byte)'.' && !Chunked) { _state = State.Dot; i++; continue; }
                    _state = State.InLine;
                    continue; // reprocess as an ordinary byte
                case State.InLine:
                {
                    int run = input[i..].IndexOfAny((byte)'\r', (byte)'\n');
                    if (run < 0) run = input.Length - i;
                    if (run > 0)
                    {
                        Emit(input.Slice(i, run), output);
                        _lineLength += run;
                        if (_lineLength > MaxLineLength) SawLongLine = true;
                        i += run;
                        continue;
                    }
                    if (b == (byte)'\r') { _state = State.Cr; i++; continue; }
                    // A bare LF: kept as data, never a line end.
                    SawBareLineEnding = true;
                    Emit("\n"u8, output);
                    _lineLength = 0;
                    i++;
                    continue;
                }
                case State.Cr:
                    if (b == (byte)'\n')
                    {
                        Emit("\r\n"u8, output);
                        _state = State.LineStart;
                        _lineLength = 0;
                        i++;
                        continue;
                    }
                    SawBareLineEnding = true;
                    Emit("\r"u8, output);
                    _state = State.InLine;
                    continue; // reprocess b
                case State.Dot:
                    if (b == (byte)'\r') { _state = State.DotCr; i++; continue; }
                    // A line starting with "." and more: the first "." is removed (transparency).
                    _state = State.InLine;
                    continue;
                case State.DotCr:
                    if (b == (byte)'\n')
                    {
                        Completed = true;
                        i++;
                        continue;
                    }
                    // "." CR x: the dot was stuffing; the CR is bare.
                    SawBareLineEnding = true;
                    Emit("\r"u8, output);
                    _state = State.InLine;
                    continue;
            }
        }
        return i;
    }

    /// <summary>
    /// The end of the last BDAT chunk: a CR still waiting for its LF (one that ends a chunk may be followed by the
    /// LF that starts the next, so it is not written until then) is a bare CR, and is written now.
    /// </summary>
    public void FinishChunks(IBufferWriter<byte> output)
    {
        if (_state != State.Cr) return;
        SawBareLineEnding = true;
        Emit("\r"u8, output);
        _state = State.InLine;
    }

    private void Emit(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        if (!SawEightBit && !System.Text.Ascii.IsValid(bytes)) SawEightBit = true;
        long before = Size;
        Size += bytes.Length;
        if (Size <= MaxSize)
        {
            output.Write(bytes);
        }
        else if (before < MaxSize)
        {
            output.Write(bytes[..(int)(MaxSize - before)]);
        }
    }
}
