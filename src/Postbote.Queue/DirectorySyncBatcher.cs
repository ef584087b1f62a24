namespace Postbote.Queue;

/// <summary>
/// Group commit for directory fsyncs: every caller that arrives while a sync is running waits for the next
/// one, which then serves them all. Each caller's renames happened before it called, so the sync that starts
/// after its call covers them.
/// </summary>
internal sealed class DirectorySyncBatcher
{
    private readonly string[] _directories;
    private readonly Lock _lock = new();
    private TaskCompletionSource? _next;
    private bool _running;

    public DirectorySyncBatcher(string[] directories) => _directories = directories;

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
                foreach (var dir in _directories) FileSync.Directory(dir);
                batch.SetResult();
            }
            catch (Exception e)
            {
                batch.SetException(e);
            }
        }
    }
}
