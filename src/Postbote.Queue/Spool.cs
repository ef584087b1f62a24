using System.Text.Json;
using System.Buffers;
using Microsoft.Extensions.Logging;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

/// <summary>
/// The durable queue on disk (DESIGN.md "The spool"). Layout under the queue directory:
/// <c>tmp/</c> files being written; <c>messages/ID</c> the message bytes, written once and never rewritten;
/// <c>active/ID.json</c>, <c>hold/ID.json</c>, <c>corrupt/ID.json</c> the envelope, whose directory is its state.
/// A message is acknowledged only after its file and envelope are durable in tmp/ and both renames are made
/// durable. Both steps are shared by all commits that wait at the same time (group commit, see
/// <see cref="DirectorySyncBatcher"/>): under concurrency a batch of sessions costs two syncfs(2) of the
/// spool's file system, not two fsyncs and a directory fsync per message.
/// </summary>
public sealed partial class Spool
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DirectorySyncBatcher _dirSync;
    private int _sequence = Random.Shared.Next(0, 0x7FFF);
    private long _lastMillis;
    private readonly Lock _idLock = new();
    private DateTimeOffset? _newestRecovered;
    // Files of removed messages kept in tmp/ for reuse (see Recycle): creating and deleting two inodes per
    // message is the largest kernel cost of the accept path on ext4, reusing them costs a truncate.
    private const int RecycledFilesKept = 512;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _recycled = new();
    private int _recycledCount;
    private long _recycleSequence;

    public Spool(string queueDirectory, TimeProvider time, ILogger<Spool> logger)
    {
        Root = Path.GetFullPath(queueDirectory);
        _time = time;
        _logger = logger;
        TempDirectory = Path.Combine(Root, "tmp");
        MessageDirectory = Path.Combine(Root, "messages");
        foreach (var dir in new[] { TempDirectory, MessageDirectory, StateDirectory(QueueState.Active), StateDirectory(QueueState.Hold), StateDirectory(QueueState.Corrupt) })
            System.IO.Directory.CreateDirectory(dir);
        _dirSync = new DirectorySyncBatcher(new[] { MessageDirectory, StateDirectory(QueueState.Active) }, Root);
    }

    public string Root { get; }
    public string TempDirectory { get; }
    public string MessageDirectory { get; }

    /// <summary>Raised after a message was committed (durably) into the active queue.</summary>
    public event Action<QueuedMessage>? MessageCommitted;

    public string StateDirectory(QueueState state) => Path.Combine(Root, state.ToString().ToLowerInvariant());
    public string MessagePath(string queueId) => Path.Combine(MessageDirectory, queueId);
    public string EnvelopePath(string queueId, QueueState state) => Path.Combine(StateDirectory(state), queueId + ".json");

    /// <summary>Allocates a new queue id: sortable by arrival, never one already in the spool.</summary>
    public string NewQueueId()
    {
        lock (_idLock)
        {
            while (true)
            {
                var now = _time.GetUtcNow();
                long ms = now.ToUnixTimeMilliseconds();
                if (ms != _lastMillis) _lastMillis = ms;
                _sequence = (_sequence + 1) & 0x7FFF;
                var id = QueueId.Create(now, _sequence);
                // After the start-up scan, every id in the spool is older than the newest it saw: a later
                // millisecond cannot collide with one of them, and this process never repeats its own sequence
                // within a millisecond. Before the scan (a local submission with the server down), or with the
                // clock set back, look on disk.
                if (_newestRecovered is { } newest && now > newest) return id;
                if (!File.Exists(MessagePath(id)) && !File.Exists(Path.Combine(TempDirectory, id))) return id;
            }
        }
    }

    /// <summary>Starts receiving a message: its bytes go to a temporary file until <see cref="CommitAsync"/>.</summary>
    public IncomingMessage BeginMessage(string queueId)
    {
        var recycled = TakeRecycled();
        return recycled is null
            ? new(queueId, Path.Combine(TempDirectory, queueId), reuse: false)
            : new(queueId, recycled, reuse: true);
    }

    /// <summary>
    /// Makes a received message durable and queues it. When this returns, the message and its envelope are on
    /// disk and survive a crash; only then may the server answer 250.
    /// </summary>
    /// <remarks>
    /// One durability round trip: both files are written, renamed into the queue, and then the files and the
    /// renames are made durable together (shared with every commit waiting at the same time). Until that sync
    /// returns nothing is acknowledged; a power loss before it may leave a renamed envelope whose bytes never
    /// reached the disk, which is why the envelope carries the message's length and hash and the start-up scan
    /// after an unclean stop verifies them (<see cref="Recover"/>). A kill -9 cannot tear it: the page cache
    /// survives the process, and the message is renamed before its envelope.
    /// </remarks>
    public async Task CommitAsync(IncomingMessage message, QueuedMessage envelope, CancellationToken ct)
    {
        var id = message.QueueId;
        envelope.QueueId = id;
        envelope.Size = message.Length;
        envelope.ContentHash = message.ContentHash;
        var messageFile = await message.FinishAsync(ct).ConfigureAwait(false);
        string envTemp = TakeRecycled() ?? Path.Combine(TempDirectory, id + ".json");
        var envelopeFile = await WriteFileAsync(envTemp, envelope, ct).ConfigureAwait(false);
        var messagePath = MessagePath(id);
        var envelopePath = EnvelopePath(id, QueueState.Active);
        bool renamed = false;
        try
        {
            FileSync.Rename(message.TempPath, messagePath);
            FileSync.Rename(envTemp, envelopePath);
            renamed = true;
            await _dirSync.SyncFilesAndDirectoriesAsync(messageFile, envelopeFile, ct).ConfigureAwait(false);
        }
        catch
        {
            // Not acknowledged: take it back out of the queue, so that neither the scheduler nor a restart
            // delivers a message whose client was told it failed (it will send it again).
            if (renamed) File.Delete(envelopePath);
            File.Delete(messagePath);
            File.Delete(envTemp);
            throw;
        }
        finally
        {
            await envelopeFile.DisposeAsync().ConfigureAwait(false);
        }
        await message.CloseAsync().ConfigureAwait(false);
        // The message is durable now: a failing subscriber must not turn that into an error for the client.
        try { MessageCommitted?.Invoke(envelope); }
        catch (Exception e) { LogSubscriberFailed(envelope.QueueId, e); }
    }

    /// <summary>Queues a message built in memory (a bounce, a local submission) with the same durability.</summary>
    public async Task<string> EnqueueAsync(ReadOnlyMemory<byte> content, QueuedMessage envelope, CancellationToken ct)
    {
        var id = NewQueueId();
        await using var incoming = BeginMessage(id);
        ((IBufferWriter<byte>)incoming).Write(content.Span);
        await CommitAsync(incoming, envelope, ct).ConfigureAwait(false);
        return id;
    }

    /// <summary>
    /// Rewrites an existing envelope in place (temp file, fsync, rename, fsync of the directory). Returns false,
    /// writing nothing, when the envelope is no longer in <paramref name="state"/> (held, deleted meanwhile), so an
    /// update never resurrects a message in a state it has left.
    /// </summary>
    public async Task<bool> UpdateAsync(QueuedMessage envelope, QueueState state, CancellationToken ct)
    {
        var target = EnvelopePath(envelope.QueueId, state);
        if (!File.Exists(target)) return false;
        string temp = TakeRecycled() ?? Path.Combine(TempDirectory, $"{envelope.QueueId}.{Guid.NewGuid():N}.upd");
        await using (var file = await WriteFileAsync(temp, envelope, ct).ConfigureAwait(false))
            await _dirSync.SyncFilesAsync(file, null, ct).ConfigureAwait(false);
        if (!File.Exists(target))
        {
            File.Delete(temp);
            return false;
        }
        FileSync.Rename(temp, target);
        if (state == QueueState.Active) await _dirSync.SyncAsync(ct).ConfigureAwait(false);
        else FileSync.Directory(StateDirectory(state));
        return true;
    }

    /// <summary>Moves an envelope to another state directory (hold, release). False if it was not there.</summary>
    public bool Move(string queueId, QueueState from, QueueState to)
    {
        try
        {
            File.Move(EnvelopePath(queueId, from), EnvelopePath(queueId, to));
        }
        catch (FileNotFoundException) { return false; }
        FileSync.Directory(StateDirectory(to));
        FileSync.Directory(StateDirectory(from));
        return true;
    }

    /// <summary>Removes a message from the spool: the envelope first, so a crash never leaves an envelope without data.</summary>
    public void Remove(string queueId)
    {
        foreach (QueueState state in Enum.GetValues<QueueState>())
            if (Recycle(EnvelopePath(queueId, state))) break;
        Recycle(MessagePath(queueId));
    }

    /// <summary>
    /// Takes a removed file out of the spool into tmp/ for reuse by a later message or envelope (truncated when
    /// reopened), or deletes it when enough are kept. Files in tmp/ are never acknowledged: the start-up scan
    /// removes them. Returns false for a missing file.
    /// </summary>
    private bool Recycle(string path)
    {
        if (Interlocked.Increment(ref _recycledCount) <= RecycledFilesKept)
        {
            var target = Path.Combine(TempDirectory, "recycled." + Interlocked.Increment(ref _recycleSequence).ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                FileSync.Rename(path, target);
                _recycled.Enqueue(target);
                return true;
            }
            catch (FileNotFoundException) { }
            catch (DirectoryNotFoundException) { }
            Interlocked.Decrement(ref _recycledCount);
            return false;
        }
        Interlocked.Decrement(ref _recycledCount);
        try
        {
            if (!File.Exists(path)) return false;
            File.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException) { return false; }
    }

    private string? TakeRecycled()
    {
        if (!_recycled.TryDequeue(out var path)) return null;
        Interlocked.Decrement(ref _recycledCount);
        return path;
    }

    public QueuedMessage? Load(string queueId, QueueState state)
    {
        try
        {
            var bytes = File.ReadAllBytes(EnvelopePath(queueId, state));
            return JsonSerializer.Deserialize(bytes, EnvelopeJsonContext.Default.QueuedMessage);
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    /// <summary>Finds a message in any state.</summary>
    public (QueuedMessage Envelope, QueueState State)? Find(string queueId)
    {
        if (!QueueId.IsValid(queueId)) return null;
        foreach (QueueState state in Enum.GetValues<QueueState>())
        {
            try
            {
                var env = Load(queueId.ToUpperInvariant(), state);
                if (env is not null) return (env, state);
            }
            catch (JsonException) { }
        }
        return null;
    }

    /// <summary>Every envelope in a state, in arrival order; unreadable ones are skipped.</summary>
    public IEnumerable<QueuedMessage> List(QueueState state)
    {
        var files = System.IO.Directory.GetFiles(StateDirectory(state), "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            QueuedMessage? env = null;
            try { env = JsonSerializer.Deserialize(File.ReadAllBytes(file), EnvelopeJsonContext.Default.QueuedMessage); }
            catch (Exception e) when (e is JsonException or IOException) { }
            if (env is not null) yield return env;
        }
    }

    /// <summary>The stored bytes, for reading (see <see cref="SpoolFileStream"/>).</summary>
    public Stream OpenMessage(string queueId) => SpoolFileStream.OpenRead(MessagePath(queueId));

    [LoggerMessage(Level = LogLevel.Error, Message = "spool: a subscriber failed after {QueueId} was committed")]
    private partial void LogSubscriberFailed(string queueId, Exception e);

    /// <summary>The message as it is delivered: the envelope's prepended header lines (e.g. DKIM-Signature, a
    /// submission's added Message-ID), then the stored bytes.</summary>
    public Stream OpenForDelivery(QueuedMessage envelope)
    {
        if (envelope.PrependHeaders.Count == 0) return OpenMessage(envelope.QueueId);
        var prefix = System.Text.Encoding.UTF8.GetBytes(string.Concat(envelope.PrependHeaders));
        return new PrependedStream(prefix, OpenMessage(envelope.QueueId));
    }

    /// <summary>Writes an envelope to <paramref name="path"/> and returns the file, open, for the caller to sync and close.</summary>
    private static async Task<FileStream> WriteFileAsync(string path, QueuedMessage envelope, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.QueuedMessage);
        // OpenOrCreate and a final SetLength rather than Create (O_TRUNC): a recycled file keeps its blocks.
        // Written synchronously: a small write into the page cache costs less than the thread-pool hand-off of
        // an "asynchronous" file write, which on Unix is a blocking pwrite(2) on another thread.
        ct.ThrowIfCancellationRequested();
        var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 0, FileOptions.None);
        try
        {
            fs.Write(bytes);
            if (fs.Length != bytes.Length) fs.SetLength(bytes.Length);
            return fs;
        }
        catch
        {
            await fs.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
