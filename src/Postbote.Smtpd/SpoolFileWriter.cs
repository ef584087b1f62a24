using System.Buffers;
using Postbote.Queue;

namespace Postbote.Smtpd;

/// <summary>
/// Where a session writes the message it receives: the spool file of the <see cref="IncomingMessage"/>, until a
/// write fails (disk full, permissions). The first error is kept and the rest of the message is discarded, so the
/// session reads on to the end of the data, stays in sync with the client, and answers 451/452 there.
/// One per session, attached to each message in turn.
/// </summary>
internal sealed class SpoolFileWriter : IBufferWriter<byte>
{
    private IncomingMessage? _message;
    private byte[] _discard = Array.Empty<byte>();

    /// <summary>The write error that ended writing the current message, if any.</summary>
    public Exception? Error { get; private set; }

    public void Attach(IncomingMessage message)
    {
        _message = message;
        Error = null;
    }

    public void Detach()
    {
        _message = null;
        Error = null;
        if (_discard.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_discard);
            _discard = Array.Empty<byte>();
        }
    }

    public void Advance(int count)
    {
        if (Error is null) _message?.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (Error is null && _message is not null)
        {
            try { return _message.GetMemory(sizeHint); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Error = e; }
        }
        return Discard(sizeHint);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    /// <summary>Writes what has gathered to the file between network reads; a failure is kept, not thrown.</summary>
    public async ValueTask FlushIfFullAsync()
    {
        if (Error is not null || _message is null) return;
        try { await _message.FlushIfFullAsync(CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Error = e; }
    }

    private Memory<byte> Discard(int sizeHint)
    {
        int size = Math.Max(sizeHint, 4096);
        if (_discard.Length < size)
        {
            if (_discard.Length > 0) ArrayPool<byte>.Shared.Return(_discard);
            _discard = ArrayPool<byte>.Shared.Rent(size);
        }
        return _discard;
    }
}
