using System.Text.Json;
using System.Buffers;
using Microsoft.Extensions.Logging;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

/// <summary>
/// The durable queue on disk (DESIGN.md "The spool"). Layout under the queue directory:
/// <c>tmp/</c> files being written; <c>messages/ID</c> the message bytes, written once and never rewritten;
/// <c>active/ID.json</c>, <c>hold/ID.json</c>, <c>corrupt/ID.json</c> the envelope, whose directory is its state.
/// A message is acknowledged only after its file, its envelope and both renames into the queue are durable, in one
/// sync shared by all commits that wait at the same time (group commit, see <see cref="DirectorySyncBatcher"/>):
/// under concurrency a batch of sessions costs one syncfs(2) of the spool's file system, not two fsyncs and
/// directory fsyncs per message.
/// </summary>
public sealed partial class Spool
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DirectorySyncBatcher _dirSync;
    private readonly int _sequenceSeed = Random.Shared.Next(0, 0x8000);
    private int _issuedThisMillisecond;
    private long _lastMillis;
    private readonly Lock _idLock = new();
    private long? _newestRecoveredMillis;
    // Bumped by every failed sync: a message begun before a write-back error may have lost pages to it, even if
    // the sync that reported the error was another batch's (see CommitAsync).
    private int _errorEpoch;

    public Spool(string queueDirectory, TimeProvider time, ILogger<Spool> logger, SpoolSyncMode syncMode = SpoolSyncMode.FileSystem)
    {
        Root = Path.GetFullPath(queueDirectory);
        _time = time;
        _logger = logger;
        TempDirectory = Path.Combine(Root, "tmp");
        MessageDirectory = Path.Combine(Root, "messages");
        foreach (var dir in new[] { TempDirectory, MessageDirectory, StateDirectory(QueueState.Active), StateDirectory(QueueState.Hold), StateDirectory(QueueState.Corrupt) })
            SpoolFileModes.CreateDirectory(dir);
        // tmp/ is synced too: the renames out of it must not leave a second name behind (on ext4 without a
        // journal), which the start-up scan would delete.
        _dirSync = new DirectorySyncBatcher(new[] { StateDirectory(QueueState.Active), MessageDirectory, TempDirectory },
            syncMode == SpoolSyncMode.FileSystem ? Root : null,
            onError: _ => SyncFailed(),
            onSlow: (took, files) => LogSlowSync((long)took.TotalMilliseconds, files),
            onSynced: (took, files) => Metrics.Synced(took, files));
    }

    public string Root { get; }
    public string TempDirectory { get; }
    public string MessageDirectory { get; }

    /// <summary>Raised after a message was committed (durably) into the active queue.</summary>
    public event Action<QueuedMessage>? MessageCommitted;
    /// <summary>The queue's instruments (set by the host to the server's meter factory); its census mirrors the spool.</summary>
    public QueueMetrics Metrics { get; init; } = new();

    public string StateDirectory(QueueState state) => Path.Combine(Root, state.ToString().ToLowerInvariant());
    public string MessagePath(string queueId) => Path.Combine(MessageDirectory, queueId);
    public string EnvelopePath(string queueId, QueueState state) => Path.Combine(StateDirectory(state), queueId + ".json");

    /// <summary>
    /// Allocates a new queue id: sortable by arrival, never one already in the spool. Within the process ids never
    /// repeat: the millisecond never goes back (a clock set back keeps the last one) and at most 32,768 ids share
    /// one. After the start-up scan, a millisecond later than every id it saw cannot collide with the spool;
    /// before it (a local submission with the server down), or with the clock set back, the disk is asked. The
    /// commit's renames refuse to replace a file in any case.
    /// </summary>
    public string NewQueueId()
    {
        lock (_idLock)
        {
            while (true)
            {
                long ms = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (ms <= _lastMillis)
                {
                    ms = _lastMillis;
                    if (++_issuedThisMillisecond > 0x7FFF)
                    {
                        ms = ++_lastMillis;
                        _issuedThisMillisecond = 0;
                    }
                }
                else
                {
                    _lastMillis = ms;
                    _issuedThisMillisecond = 0;
                }
                var id = QueueId.Create(DateTimeOffset.FromUnixTimeMilliseconds(ms), (_sequenceSeed + _issuedThisMillisecond) & 0x7FFF);
                if (_newestRecoveredMillis is { } newest && ms > newest) return id;
                if (!File.Exists(MessagePath(id)) && !File.Exists(Path.Combine(TempDirectory, id))) return id;
            }
        }
    }

    /// <summary>A sync reported a write error: every message begun before now may have lost pages to it.</summary>
    internal void SyncFailed() => Interlocked.Increment(ref _errorEpoch);

    /// <summary>Starts receiving a message: its bytes go to a temporary file until <see cref="CommitAsync"/>.</summary>
    public IncomingMessage BeginMessage(string queueId)
    {
        int epoch = Volatile.Read(ref _errorEpoch);
        var recycled = TakeRecycledMessage();
        return recycled is null
            ? new(queueId, Path.Combine(TempDirectory, queueId), reuse: false) { ErrorEpoch = epoch }
            : new(queueId, recycled, reuse: true) { ErrorEpoch = epoch };
    }

    /// <summary>
    /// Starts the file that replaces <paramref name="original"/> (a content filter changed the message): same queue
    /// id, its own temporary file, so the original stays whole until this one is committed in its place.
    /// </summary>
    public IncomingMessage BeginReplacement(IncomingMessage original) =>
        new(original.QueueId, Path.Combine(TempDirectory, original.QueueId + ".new"), reuse: false) { ErrorEpoch = original.ErrorEpoch };

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
    /// <param name="whenDurable">Called once the message is durable and before <see cref="MessageCommitted"/> (whose
    /// delivery may remove it at once), e.g. to open it for a Sent copy; must not throw.</param>
    /// <param name="state">Active, or Hold for a message a content filter quarantined (no delivery until released).</param>
    public async Task CommitAsync(IncomingMessage message, QueuedMessage envelope, CancellationToken ct, Action<QueuedMessage>? whenDurable = null,
        QueueState state = QueueState.Active)
    {
        EnvelopeAddressGuard.EnsureValid(envelope);
        BeginWrite();
        try
        {
            await CommitCoreAsync(message, envelope, state, ct).ConfigureAwait(false);
        }
        finally { EndWrite(); }
        Metrics.Queued(envelope);
        whenDurable?.Invoke(envelope);
        if (state != QueueState.Active)
        {
            Metrics.Census.Move(envelope.QueueId, state);
            return; // held: the scheduler does not hear of it until it is released
        }
        // The message is durable now: a failing subscriber must not turn that into an error for the client.
        try { MessageCommitted?.Invoke(envelope); }
        catch (Exception e) { LogSubscriberFailed(envelope.QueueId, e); }
    }

    private async Task CommitCoreAsync(IncomingMessage message, QueuedMessage envelope, QueueState state, CancellationToken ct)
    {
        var id = message.QueueId;
        envelope.QueueId = id;
        envelope.Size = message.Length;
        envelope.ContentHash = message.ContentHash;
        var messageFile = await message.FinishAsync(ct).ConfigureAwait(false);
        string envTemp = TakeRecycledEnvelope() ?? Path.Combine(TempDirectory, id + ".json");
        var envelopeFile = await WriteFileAsync(envTemp, envelope, ct).ConfigureAwait(false);
        var messagePath = MessagePath(id);
        var envelopePath = EnvelopePath(id, state);
        bool messageMoved = false, envelopeMoved = false;
        try
        {
            EnsureInUseMarker();
            // Never replace: an id already in the spool (a clock set back, another process) fails this commit
            // (the client is told to try again) instead of overwriting an acknowledged message.
            FileSync.RenameNoReplace(message.TempPath, messagePath);
            messageMoved = true;
            FileSync.RenameNoReplace(envTemp, envelopePath);
            envelopeMoved = true;
            await _dirSync.SyncFilesAndDirectoriesAsync(messageFile, envelopeFile, ct).ConfigureAwait(false);
            if (state != QueueState.Active) FileSync.Directory(StateDirectory(state)); // not among the batch's directories
            // A write-back error reported to any sync since this message was begun may have hit its pages
            // (syncfs reports an error once, to whichever batch sees it first): not acknowledged.
            if (Volatile.Read(ref _errorEpoch) != message.ErrorEpoch)
                throw new IOException($"spool: a write error was reported while {id} was being received");
        }
        catch
        {
            // Not acknowledged: take it back out of the queue, so that neither the scheduler nor a restart
            // delivers a message whose client was told it failed (it will send it again). Only what this
            // commit moved is removed.
            if (envelopeMoved) File.Delete(envelopePath);
            else File.Delete(envTemp);
            if (messageMoved) File.Delete(messagePath);
            throw;
        }
        finally
        {
            await envelopeFile.DisposeAsync().ConfigureAwait(false);
        }
        await message.CloseAsync().ConfigureAwait(false);
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
        BeginWrite();
        try { return await UpdateCoreAsync(envelope, state, ct).ConfigureAwait(false); }
        finally { EndWrite(); }
    }

    private async Task<bool> UpdateCoreAsync(QueuedMessage envelope, QueueState state, CancellationToken ct)
    {
        EnsureInUseMarker();
        var target = EnvelopePath(envelope.QueueId, state);
        if (!File.Exists(target)) return false;
        string temp = TakeRecycledEnvelope() ?? Path.Combine(TempDirectory, $"{envelope.QueueId}.{Guid.NewGuid():N}.upd");
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
        Metrics.Census.Move(queueId, to);
        FileSync.Directory(StateDirectory(to));
        FileSync.Directory(StateDirectory(from));
        return true;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "spool: a sync took {Milliseconds} ms ({Files} files): the 250s waiting for it were delayed as long; a slow disk, or other writers on the spool's file system (see Queue:SyncMode)")]
    private partial void LogSlowSync(long milliseconds, int files);

    [LoggerMessage(Level = LogLevel.Error, Message = "spool: a subscriber failed after {QueueId} was committed")]
    private partial void LogSubscriberFailed(string queueId, Exception e);

    /// <summary>The message as it is delivered: the envelope's prepended header lines (e.g. DKIM-Signature, a
    /// submission's added Message-ID, Authentication-Results; for forwarded recipients our ARC set above them), then
    /// the stored bytes less its omitted runs.</summary>
    public Stream OpenForDelivery(QueuedMessage envelope, bool forwarded = false)
    {
        var stored = OpenMessage(envelope.QueueId);
        if (envelope.OmitRanges is { Count: > 0 } omit) stored = new OmittingStream(stored, omit);
        var forward = forwarded ? envelope.ForwardPrependHeaders : null;
        if (envelope.PrependHeaders.Count == 0 && forward is null) return stored;
        var prefix = System.Text.Encoding.UTF8.GetBytes(forward is null ? string.Concat(envelope.PrependHeaders) : string.Concat(forward) + string.Concat(envelope.PrependHeaders));
        return new PrependedStream(prefix, stored);
    }

    private const int MaxEnvelopePadding = 1024;
    private static readonly byte[] Spaces = Enumerable.Repeat((byte)' ', MaxEnvelopePadding).ToArray();

    /// <summary>Writes an envelope to <paramref name="path"/> and returns the file, open, for the caller to sync and close.</summary>
    private static async Task<FileStream> WriteFileAsync(string path, QueuedMessage envelope, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.QueuedMessage);
        // OpenOrCreate and a final SetLength rather than Create (O_TRUNC): a recycled file keeps its blocks.
        // Written synchronously: a small write into the page cache costs less than the thread-pool hand-off of
        // an "asynchronous" file write, which on Unix is a blocking pwrite(2) on another thread.
        ct.ThrowIfCancellationRequested();
        var fs = new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0, UnixCreateMode = SpoolFileModes.File });
        try
        {
            fs.Write(bytes);
            long length = fs.Length;
            if (length > bytes.Length)
            {
                // A reused file that was longer: JSON allows trailing white space, and overwriting the rest of the
                // last block with spaces costs less than a truncate; a much shorter envelope is cut instead.
                if (length - bytes.Length <= MaxEnvelopePadding) fs.Write(Spaces.AsSpan(0, (int)(length - bytes.Length)));
                else fs.SetLength(bytes.Length);
            }
            return fs;
        }
        catch
        {
            await fs.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
