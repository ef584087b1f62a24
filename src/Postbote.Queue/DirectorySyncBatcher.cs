namespace Postbote.Queue;

/// <summary>
/// Group commit for the spool. Callers ask for their written (still open) files to be made durable, for
/// their renames to be made durable (the spool's directories), or both at once (a new message); every caller that arrives while a sync is running
/// waits for the next one, which then serves them all. Each caller's writes and renames happened before it
/// called, so the sync that starts after its call covers them.
/// In <see cref="SpoolSyncMode.FileSystem"/> mode every batch is one syncfs(2) of the spool's file system, which
/// writes the data, inodes and directory blocks of the whole batch in one pass (at the price of also flushing
/// whatever else is dirty on that file system), then one directory fsync; measured on ext4 it beats the fsyncs
/// of a lone commit too. In <see cref="SpoolSyncMode.Files"/> mode a batch is synced file by file and directory
/// by directory with fsync(2).
/// </summary>
internal sealed class DirectorySyncBatcher
{
    /// <summary>Without syncfs, up to this many fsyncs of a batch run side by side (a lone commit: two files, three
    /// directories); more run one after the other.</summary>
    private const int ParallelFsyncs = 5;

    private readonly string[] _directories;
    private readonly int _fileSystemFd = -1;
    private readonly Action<Exception>? _onError;
    private readonly Action<TimeSpan, int>? _onSlow;
    private readonly Action<TimeSpan, int>? _onSynced;
    private readonly TimeSpan _slowSync;
    /// <summary>A sync slower than this is reported (see the constructor's onSlow).</summary>
    public static readonly TimeSpan SlowSync = TimeSpan.FromMilliseconds(100);
    private readonly Lock _lock = new();
    private Batch? _next;
    private bool _running;
    private long _started, _completed;

    /// <param name="directories">The directories that renames are made into and out of, fsynced for
    /// <see cref="SyncAsync"/>; the first also carries the device cache flush after a syncfs.</param>
    /// <param name="fileSystemPath">A directory on the spool's file system, synced as a whole with syncfs(2) for every batch
    /// (where that is reliable, see <see cref="FileSync.CanSyncFileSystem"/>), or null to fsync files and directories.</param>
    /// <param name="onError">Told of every failed sync, before the waiters of that batch fail.</param>
    /// <param name="onSlow">Told of every sync that took longer than <see cref="SlowSync"/> (its duration and the
    /// number of files in the batch), for the log: the 250s of that batch waited as long.</param>
    /// <param name="slowSync">What counts as slow (default <see cref="SlowSync"/>).</param>
    public DirectorySyncBatcher(string[] directories, string? fileSystemPath = null, Action<Exception>? onError = null, Action<TimeSpan, int>? onSlow = null,
        TimeSpan? slowSync = null, Action<TimeSpan, int>? onSynced = null)
    {
        _directories = directories;
        _slowSync = slowSync ?? SlowSync;
        _onSynced = onSynced;
        _onError = onError;
        _onSlow = onSlow;
        // One descriptor for the life of the spool: syncfs(2) reports a write-back error to each descriptor that
        // has not seen it yet, so a descriptor opened per call would miss every error that happened between
        // two calls (during background write-back of a message still being received).
        if (fileSystemPath is not null && FileSync.CanSyncFileSystem) _fileSystemFd = FileSync.OpenDirectoryDescriptor(fileSystemPath);
    }

    /// <summary>The number a batch beginning after this moment will have (see <see cref="CompletedBatches"/>).</summary>
    public long NextBatch => Interlocked.Read(ref _started) + 1;

    /// <summary>The number of the last batch that made the directories durable (a syncfs, or the fsyncs of a batch
    /// with renames): a rename made before batch N began is durable once this is at least N.</summary>
    public long CompletedBatches => Interlocked.Read(ref _completed);

    private sealed class Batch
    {
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly List<FileStream> Files = new();
        public bool Directories;
    }

    /// <summary>Makes the renames made before this call into the spool's directories durable.</summary>
    public Task SyncAsync(CancellationToken ct) => Enqueue(null, null, directories: true, ct);

    /// <summary>Makes the contents of these written, still open files durable (they stay open; the caller closes them after).</summary>
    public Task SyncFilesAsync(FileStream first, FileStream? second, CancellationToken ct) => Enqueue(first, second, directories: false, ct);

    /// <summary>
    /// A commit in one step: makes these written, still open files and the renames made before this call durable
    /// together (one fsync round for a lone commit, one syncfs for a batch).
    /// </summary>
    public Task SyncFilesAndDirectoriesAsync(FileStream first, FileStream? second, CancellationToken ct) => Enqueue(first, second, directories: true, ct);

    private Task Enqueue(FileStream? first, FileStream? second, bool directories, CancellationToken ct)
    {
        Batch waiter;
        bool start = false;
        lock (_lock)
        {
            _next ??= new Batch();
            waiter = _next;
            if (directories) waiter.Directories = true;
            if (first is not null) waiter.Files.Add(first);
            if (second is not null) waiter.Files.Add(second);
            if (!_running)
            {
                _running = true;
                start = true;
            }
        }
        if (start)
        {
            // The caller that finds no sync running leads: it syncs its own batch on its own thread (a lone commit
            // then costs no thread hand-off before or after its sync), and hands whatever gathered meanwhile to a
            // pool thread, so that its own reply is not held up by later batches.
            RunBatches(leader: true);
        }
        return waiter.Done.Task.IsCompleted ? waiter.Done.Task : waiter.Done.Task.WaitAsync(ct);
    }

    private static void SyncFile(FileStream file)
    {
        // A caller that gave up waiting (cancelled) has closed its file: nothing left to sync for it.
        try { file.Flush(flushToDisk: true); }
        catch (ObjectDisposedException) { }
    }

    private void RunBatches(bool leader)
    {
        bool ranOne = false;
        while (true)
        {
            Batch batch;
            lock (_lock)
            {
                if (_next is null)
                {
                    _running = false;
                    return;
                }
                if (leader && ranOne)
                {
                    // Still _running: the pool thread takes over the batches that gathered meanwhile.
                    _ = Task.Run(() => RunBatches(leader: false), CancellationToken.None);
                    return;
                }
                batch = _next;
                _next = null;
                ranOne = true;
            }
            long number = Interlocked.Increment(ref _started);
            long began = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                int fsyncs = batch.Files.Count + (batch.Directories ? _directories.Length : 0);
                if (_fileSystemFd >= 0)
                {
                    FileSync.SyncFileSystem(_fileSystemFd);
                    // Without a journal, syncfs may issue the device cache flush before its last metadata writes
                    // (inode tables, directory blocks) complete; an fsync after it flushes the cache again, covering
                    // everything syncfs wrote. With a journal this costs one cache flush.
                    FileSync.Directory(_directories[0]);
                }
                else
                {
                    // The few fsyncs of a small batch run side by side: a lone commit waits for the slowest,
                    // not for the sum (the disk serves them in parallel).
                    var syncs = new List<Action>(fsyncs);
                    foreach (var file in batch.Files) syncs.Add(() => SyncFile(file));
                    if (batch.Directories) foreach (var dir in _directories) syncs.Add(() => FileSync.Directory(dir));
                    if (syncs.Count == 1 || syncs.Count > ParallelFsyncs) foreach (var sync in syncs) sync();
                    else
                    {
                        var others = new Task[syncs.Count - 1];
                        for (int i = 1; i < syncs.Count; i++) others[i - 1] = Task.Run(syncs[i]);
                        syncs[0]();
                        Task.WaitAll(others);
                    }
                }
                if (batch.Directories || _fileSystemFd >= 0) Interlocked.Exchange(ref _completed, number);
                batch.Done.SetResult();
            }
            catch (AggregateException e)
            {
                _onError?.Invoke(e);
                batch.Done.SetException(e.InnerExceptions);
            }
            catch (Exception e)
            {
                _onError?.Invoke(e);
                batch.Done.SetException(e);
            }
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(began);
            try { _onSynced?.Invoke(took, batch.Files.Count); } catch (Exception) { /* a measurement only */ }
            if (took > _slowSync)
            {
                try { _onSlow?.Invoke(took, batch.Files.Count); }
                catch (Exception) { /* a report only: the batch's outcome is already set */ }
            }
        }
    }
}
