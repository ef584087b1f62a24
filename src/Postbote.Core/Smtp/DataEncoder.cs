using System.Buffers;

namespace Postbote.Core.Smtp;

/// <summary>
/// Dot-stuffing for sending stored bytes with DATA (RFC 5321 §4.5.2): a "." at the start of a line is
/// doubled. Streaming: call <see cref="Encode"/> per chunk, then <see cref="Complete"/> for the terminator.
/// </summary>
public sealed class DataEncoder
{
    private byte _last = (byte)'\n', _beforeLast = (byte)'\r';

    public void Encode(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        while (!input.IsEmpty)
        {
            if (_last == (byte)'\n' && input[0] == (byte)'.') output.Write("."u8);
            int lf = input.IndexOf((byte)'\n');
            var chunk = lf < 0 ? input : input[..(lf + 1)];
            output.Write(chunk);
            _beforeLast = chunk.Length >= 2 ? chunk[^2] : _last;
            _last = chunk[^1];
            input = input[chunk.Length..];
        }
    }

    /// <summary>Writes the end-of-data terminator, adding a CRLF first when the message did not end with one.</summary>
    public void Complete(IBufferWriter<byte> output)
    {
        if (_last != (byte)'\n' || _beforeLast != (byte)'\r') output.Write("\r\n"u8);
        output.Write(".\r\n"u8);
    }
}
