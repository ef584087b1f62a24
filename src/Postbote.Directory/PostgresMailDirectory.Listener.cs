using Microsoft.Extensions.Logging;
using Npgsql;

namespace Postbote.Directory;

public sealed partial class PostgresMailDirectory
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    private CancellationTokenSource? _listenerStop;
    private Task? _listener;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Notifications received from <see cref="ChangeChannel"/> (for tests and metrics).</summary>
    public long ChangesReceived => Interlocked.Read(ref _changesReceived);
    private long _changesReceived;

    /// <summary>Completes once the listener has run LISTEN the first time.</summary>
    public Task Listening => _listening.Task;

    /// <summary>How many times the listener has (re)connected and run LISTEN.</summary>
    public long ListenerConnects => Interlocked.Read(ref _listenerConnects);
    private long _listenerConnects;

    /// <summary>
    /// Starts listening on <see cref="ChangeChannel"/> over one dedicated connection: every change any node commits
    /// (the tables' triggers) clears this instance's caches at once, so a change is seen everywhere within the
    /// notification's round trip instead of <see cref="MailDirectoryOptions.DomainLookupCacheLifetime"/>. A dropped
    /// connection is logged, the caches cleared (notifications may have been missed), and the connection re-made
    /// with a growing pause (0.1 s up to 5 s), forever until <see cref="DisposeAsync"/>. Costs one idle connection
    /// per node; nothing on the accept path.
    /// </summary>
    public void StartListening(ILogger? logger = null)
    {
        if (_listener is not null) return;
        _listenerStop = new CancellationTokenSource();
        _listener = Task.Run(() => ListenAsync(logger, _listenerStop.Token));
    }

    private async Task ListenAsync(ILogger? logger, CancellationToken ct)
    {
        var pause = FirstRetry;
        for (long attempt = 0; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var conn = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                conn.Notification += OnNotification;
                await using (var cmd = new NpgsqlCommand($"LISTEN {ChangeChannel}", conn))
                    await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                // Anything committed while no one listened: forget what the caches hold.
                DomainsChanged();
                if (attempt > 0 && logger is not null) LogListenerBack(logger, ChangeChannel);
                pause = FirstRetry;
                Interlocked.Increment(ref _listenerConnects);
                _listening.TrySetResult();
                while (!ct.IsCancellationRequested) await conn.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or IOException or InvalidOperationException)
            {
                DomainsChanged();
                if (logger is not null) LogListenerLost(logger, ChangeChannel, e.Message, pause.TotalSeconds);
            }
            try { await Task.Delay(pause, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestRetry.Ticks));
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        Interlocked.Increment(ref _changesReceived);
        // Every table's change may alter a cached answer; the domain cache is the only one today, and clearing it is cheap.
        DomainsChanged();
    }

    /// <summary>Stops the change listener (the caches fall back to their lifetime).</summary>
    public async Task StopListeningAsync()
    {
        if (_listenerStop is null || _listener is null) return;
        await _listenerStop.CancelAsync().ConfigureAwait(false);
        try { await _listener.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _listenerStop.Dispose();
        _listenerStop = null;
        _listener = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "directory change listener (LISTEN {Channel}) lost: {Reason}; caches cleared, reconnecting in {Seconds} s")]
    private static partial void LogListenerLost(ILogger logger, string channel, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "directory change listener (LISTEN {Channel}) connected again")]
    private static partial void LogListenerBack(ILogger logger, string channel);
}
