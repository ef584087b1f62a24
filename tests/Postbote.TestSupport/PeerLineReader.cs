namespace Postbote.TestSupport;

/// <summary>A buffered reader of raw lines (with their line end) for test peers.</summary>
internal sealed class PeerLineReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>True when a complete line is already buffered.</summary>
    public bool HasBufferedLine => Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start) >= 0;

    /// <summary>Reads a line including its LF; null when the peer closed.</summary>
    public async Task<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var line = _buffer.AsSpan(_start, lf + 1 - _start).ToArray();
                _start = lf + 1;
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                throw new InvalidDataException("line too long");
            int read;
            try
            {
                read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            }
            catch (IOException)
            {
                return null;
            }
            if (read == 0)
                return null;
            _end += read;
        }
    }
}
