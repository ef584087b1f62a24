using System.Buffers;
using System.IO.Hashing;
using Postbote.Core.Envelope;
using Postbote.Core.Smtp;
using Postbote.MailAuth.Dkim;

namespace Postbote.Queue;

/// <summary>
/// A message being received: bytes are written to a temporary file in the spool as they arrive (never held
/// whole in memory), and the header section is scanned on the way. Committed or aborted by the <see cref="Spool"/>.
/// </summary>
public sealed class IncomingMessage : IBufferWriter<byte>, IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;
    private readonly FileStream _file;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _used;
    private readonly bool _reuse;
    private readonly XxHash3 _hash = new();

    /// <param name="reuse">The temporary file exists (a recycled spool file): it is overwritten in place, so that
    /// blocks already allocated are reused, and cut to the new length at close.</param>
    internal IncomingMessage(string queueId, string tempPath, bool reuse = false)
    {
        QueueId = queueId;
        TempPath = tempPath;
        _reuse = reuse;
        _file = new FileStream(tempPath, new FileStreamOptions
        {
            Mode = reuse ? FileMode.Open : FileMode.CreateNew, Access = FileAccess.ReadWrite, // read back by content filters Share = FileShare.None, BufferSize = 0,
            // Synchronous writes into the page cache (see FlushAsync); the durability comes from the commit's sync.
            Options = FileOptions.None, UnixCreateMode = reuse ? null : SpoolFileModes.File,
        });
    }

    public string QueueId { get; }
    internal string TempPath { get; }
    public HeaderSectionParser Headers { get; } = new();
    /// <summary>Bytes written so far (the stored size).</summary>
    public long Length { get; private set; }
    internal bool Closed { get; private set; }
    /// <summary>The spool's count of failed syncs when this message was begun (see <see cref="Spool.CommitAsync"/>).</summary>
    internal int ErrorEpoch { get; init; }
    /// <summary>XXH3-64 of the bytes written so far, as stored in the envelope (<see cref="QueuedMessage.ContentHash"/>).</summary>
    public string ContentHash => FormatContentHash(_hash);
    /// <summary>The header copy and body hash for DKIM signing, when <see cref="CaptureForDkim"/> asked for them.</summary>
    public DkimMessageCapture? Dkim { get; private set; }
    /// <summary>The capture for sealing forwarded mail (ARC), when <see cref="CaptureForArc"/> asked for it.</summary>
    public Postbote.MailAuth.Arc.ArcMessageCapture? Arc { get; private set; }

    /// <summary>
    /// Feeds every byte from now on to <paramref name="capture"/> as well: the header section to its copy, the body
    /// to its hasher, split where <see cref="Headers"/> finds the end of the header section. Call before the first
    /// byte; a message without it pays nothing for DKIM.
    /// </summary>
    public void CaptureForDkim(DkimMessageCapture capture)
    {
        if (Length != 0) throw new InvalidOperationException("DKIM capture must start with the first byte");
        Dkim = capture;
    }

    /// <summary>As <see cref="CaptureForDkim"/>, for the ARC seal of forwarded mail; call before the first byte.</summary>
    public void CaptureForArc(Postbote.MailAuth.Arc.ArcMessageCapture capture)
    {
        if (Length != 0) throw new InvalidOperationException("ARC capture must start with the first byte");
        Arc = capture;
    }

    /// <summary>The envelope's form of a message hash: 16 lower-case hex digits of XXH3-64.</summary>
    internal static string FormatContentHash(XxHash3 hash) =>
        hash.GetCurrentHashAsUInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public void Advance(int count)
    {
        var written = _buffer.AsSpan(_used, count);
        if (Dkim is null && Arc is null) Headers.Scan(written);
        else ScanAndCapture(written);
        _hash.Append(written);
        _used += count;
        Length += count;
    }

    private void ScanAndCapture(ReadOnlySpan<byte> written)
    {
        if (Headers.Complete)
        {
            Dkim?.AppendBody(written);
            Arc?.AppendBody(written);
            return;
        }
        Headers.Scan(written);
        if (!Headers.Complete)
        {
            Dkim?.AppendHeader(written);
            Arc?.AppendHeader(written);
            return;
        }
        int split = (int)(Headers.Length - Length); // Length is still that before this piece
        Dkim?.AppendHeader(written[..split]);
        Dkim?.AppendBody(written[split..]);
        Arc?.AppendHeader(written[..split]);
        Arc?.AppendBody(written[split..]);
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => EnsureSpace(sizeHint);
    public Span<byte> GetSpan(int sizeHint = 0) => EnsureSpace(sizeHint).Span;

    private Memory<byte> EnsureSpace(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _used < sizeHint)
        {
            if (_used > 0) FlushBufferSync();
            if (_buffer.Length < sizeHint)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(sizeHint);
            }
        }
        return _buffer.AsMemory(_used);
    }

    /// <summary>
    /// Reads back bytes already written (content filters read the header section and stream the body to a filter
    /// before the commit); what is still buffered is written out first. Returns the count read, 0 at the end.
    /// </summary>
    public async ValueTask<int> ReadWrittenAsync(long offset, Memory<byte> destination, CancellationToken ct)
    {
        await FlushAsync(ct).ConfigureAwait(false);
        if (offset >= Length) return 0;
        if (destination.Length > Length - offset) destination = destination[..(int)(Length - offset)];
        return await RandomAccess.ReadAsync(_file.SafeFileHandle, destination, offset, ct).ConfigureAwait(false);
    }

    /// <summary>Writes buffered bytes to the file when a good amount has gathered (call between network reads).</summary>
    public async ValueTask FlushIfFullAsync(CancellationToken ct)
    {
        if (_used >= BufferSize / 2) await FlushAsync(ct).ConfigureAwait(false);
    }

    /// <remarks>The write is a pwrite(2) into the page cache, done on the calling thread: on Unix an asynchronous
    /// file write is the same blocking call handed to another thread, which costs more than the copy.</remarks>
    public ValueTask FlushAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (_used > 0) FlushBufferSync();
        return ValueTask.CompletedTask;
    }

    private void FlushBufferSync()
    {
        _file.Write(_buffer, 0, _used);
        _used = 0;
    }

    /// <summary>
    /// Writes the rest and returns the file, still open, for the spool's commit to make durable (see
    /// <see cref="DirectorySyncBatcher"/>) before it calls <see cref="CloseAsync"/>.
    /// </summary>
    internal async ValueTask<FileStream> FinishAsync(CancellationToken ct)
    {
        await FlushAsync(ct).ConfigureAwait(false);
        if (_reuse && _file.Length != Length) _file.SetLength(Length);
        return _file;
    }

    internal async ValueTask CloseAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
        Closed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Closed)
        {
            Closed = true;
            await _file.DisposeAsync().ConfigureAwait(false);
            try { File.Delete(TempPath); } catch (IOException) { }
        }
        Dkim?.Dispose();
        Dkim = null;
        Arc?.Dispose();
        Arc = null;
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = Array.Empty<byte>();
        }
    }
}
