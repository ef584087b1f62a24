namespace Postbote.Delivery.Smtp;

/// <summary>
/// A buffered CRLF line reader over a stream that can be swapped after STARTTLS. One buffer per connection;
/// the returned memory is valid until the next read.
/// </summary>
internal sealed class SmtpLineReader
{
    private readonly byte[] _buffer;
    private int _start;
    private int _end;
    private int _scanned;

    public SmtpLineReader(Stream stream, int maxLineLength)
    {
        Stream = stream;
        _buffer = new byte[maxLineLength + 2];
    }

    /// <summary>The stream read from; replaced after a TLS handshake.</summary>
    public Stream Stream { get; set; }

    /// <summary>True when bytes beyond the last line were received (must not happen before a TLS handshake).</summary>
    public bool HasBufferedData => _end > _start;

    /// <summary>Reads one line; returns it without the line end. Bare LF is accepted as a line end.</summary>
    /// <exception cref="EndOfStreamException">The peer closed the connection.</exception>
    /// <exception cref="InvalidDataException">The line exceeds the maximum length.</exception>
    public async ValueTask<ReadOnlyMemory<byte>> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _scanned, _end - _scanned);
            if (lf >= 0)
            {
                var lineEnd = lf > _start && _buffer[lf - 1] == (byte)'\r' ? lf - 1 : lf;
                var line = new ReadOnlyMemory<byte>(_buffer, _start, lineEnd - _start);
                _start = _scanned = lf + 1;
                return line;
            }
            _scanned = _end;
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _scanned -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                throw new InvalidDataException($"reply line longer than {_buffer.Length - 2} octets");
            var read = await Stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new EndOfStreamException("connection closed by peer");
            _end += read;
        }
    }
}
