namespace Postbote.Queue;

/// <summary>
/// Group commit for the spool: every caller that arrives while a sync is running waits for the next one,
/// which then serves them all. Each caller's writes and renames happened before it called, so the sync that
/// starts after its call covers them. The sync is, on Linux, one syncfs(2) of the spool's file system (file
/// data, inodes and directory entries of every waiting commit in one pass); elsewhere an fsync of each of the
/// spool's directories (the files themselves are then fsynced by their writers).
/// </summary>
internal sealed class DirectorySyncBatcher
{
    private readonly string[] _directories;
    private readonly string? _fileSystemPath;
    private readonly Lock _lock = new();
    private TaskCompletionSource? _next;
    private bool _running;

    /// <param name="directories">Directories to fsync when the file system cannot be synced as a whole.</param>
    /// <param name="fileSystemPath">A directory on the spool's file system, synced as a whole with syncfs(2), or null.</param>
    public DirectorySyncBatcher(string[] directories, string? fileSystemPath = null)
    {
        _directories = directories;
        _fileSystemPath = fileSystemPath is not null && FileSync.CanSyncFileSystem ? fileSystemPath : null;
    }

    /// <summary>True when one sync makes file contents durable too (syncfs): writers need not fsync their files.</summary>
    public bool SyncsFileContents => _fileSystemPath is not null;

    public Task SyncAsync(CancellationToken ct)
    {
        TaskCompletionSource waiter;
        bool start = false;
        lock (_lock)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiter = _next;
            if (!_running)
            {
                _running = true;
                start = true;
            }
        }
        if (start) _ = Task.Run(RunAsync, CancellationToken.None);
        return waiter.Task.WaitAsync(ct);
    }

    private void RunAsync()
    {
        while (true)
        {
            TaskCompletionSource batch;
            lock (_lock)
            {
                if (_next is null)
                {
                    _running = false;
                    return;
                }
                batch = _next;
                _next = null;
            }
            try
            {
                if (_fileSystemPath is not null) FileSync.FileSystem(_fileSystemPath);
                else foreach (var dir in _directories) FileSync.Directory(dir);
                batch.SetResult();
            }
            catch (Exception e)
            {
                batch.SetException(e);
            }
        }
    }
}
