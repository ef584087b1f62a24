namespace Postbote.Delivery.Smtp;

/// <summary>
/// Encodes message bytes for DATA (RFC 5321 §4.5.2): a "." at the start of a line is doubled, and the
/// end marker CRLF.CRLF is appended, with a CRLF first when the message does not end with one. Streaming:
/// keeps only whether the next byte starts a line.
/// </summary>
internal sealed class DotStuffer
{
    private bool _atLineStart = true;
    private byte _last;
    private bool _empty = true;

    /// <summary>The largest output for <paramref name="inputLength"/> input bytes.</summary>
    public static int MaxEncodedLength(int inputLength) => inputLength * 2;

    /// <summary>Encodes <paramref name="input"/> into <paramref name="output"/> (at least twice as long); returns bytes written.</summary>
    /// <remarks>Only CRLF ends a line, as for the receiving server's decoder; a dot after a bare LF is left alone.</remarks>
    public int Encode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = 0;
        while (!input.IsEmpty)
        {
            if (_atLineStart && input[0] == (byte)'.')
                output[written++] = (byte)'.';
            var lf = input.IndexOf((byte)'\n');
            var take = lf < 0 ? input.Length : lf + 1;
            input[..take].CopyTo(output[written..]);
            written += take;
            var beforeLf = lf < 0 ? (byte)0 : lf > 0 ? input[lf - 1] : _last;
            _atLineStart = lf >= 0 && beforeLf == (byte)'\r';
            _last = input[take - 1];
            _empty = false;
            input = input[take..];
        }
        return written;
    }

    /// <summary>Writes the end of data ("[CRLF].CRLF") into <paramref name="output"/> (at least 5 bytes); returns bytes written.</summary>
    public int Finish(Span<byte> output)
    {
        var written = 0;
        if (!_empty && !_atLineStart)
        {
            output[written++] = (byte)'\r';
            output[written++] = (byte)'\n';
        }
        ".\r\n"u8.CopyTo(output[written..]);
        return written + 3;
    }
}
