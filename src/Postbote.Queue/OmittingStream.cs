using Postbote.Core.Envelope;

namespace Postbote.Queue;

/// <summary>
/// A read-only stream of the stored message without some runs of its bytes (<see cref="QueuedMessage.OmitRanges"/>,
/// e.g. a forged Authentication-Results field): what delivery reads, while the file itself is never rewritten.
/// The runs are skipped by reading past them (they are small header fields near the start).
/// </summary>
internal sealed class OmittingStream : Stream
{
    private readonly Stream _inner;
    private readonly List<ByteRange> _ranges;
    private readonly long _omitted;
    private int _next;
    private long _position; // in the stored bytes

    public OmittingStream(Stream inner, List<ByteRange> ranges)
    {
        _inner = inner;
        _ranges = ranges;
        foreach (var r in ranges) _omitted += r.Length;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _inner.Length - _omitted;
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        SkipSync();
        int n = _inner.Read(buffer[..Limit(buffer.Length)]);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SkipAsync(cancellationToken).ConfigureAwait(false);
        int n = await _inner.ReadAsync(buffer[..Limit(buffer.Length)], cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Reads never cross into the next omitted run.
    private int Limit(int length) =>
        _next < _ranges.Count ? (int)Math.Min(length, Math.Max(0, _ranges[_next].Offset - _position)) : length;

    private void SkipSync()
    {
        Span<byte> scratch = stackalloc byte[512];
        while (_next < _ranges.Count && _position >= _ranges[_next].Offset)
        {
            long end = _ranges[_next].Offset + _ranges[_next].Length;
            while (_position < end)
            {
                int n = _inner.Read(scratch[..(int)Math.Min(scratch.Length, end - _position)]);
                if (n == 0) { _next = _ranges.Count; return; }
                _position += n;
            }
            _next++;
        }
    }

    private async ValueTask SkipAsync(CancellationToken ct)
    {
        if (_next >= _ranges.Count || _position < _ranges[_next].Offset) return;
        var scratch = new byte[512];
        while (_next < _ranges.Count && _position >= _ranges[_next].Offset)
        {
            long end = _ranges[_next].Offset + _ranges[_next].Length;
            while (_position < end)
            {
                int n = await _inner.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, end - _position)), ct).ConfigureAwait(false);
                if (n == 0) { _next = _ranges.Count; return; }
                _position += n;
            }
            _next++;
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
