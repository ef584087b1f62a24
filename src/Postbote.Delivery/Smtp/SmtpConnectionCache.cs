using System.Collections.Concurrent;

namespace Postbote.Delivery.Smtp;

/// <summary>
/// Keeps open SMTP connections between deliveries to the same host (Postfix's scache): the next message to that
/// host reuses one (RSET, then MAIL) instead of paying for connect, greeting, EHLO, STARTTLS and AUTH again.
/// A connection idle longer than <see cref="IdleLimit"/> is closed with QUIT by a sweep, one used longer than
/// <see cref="ReuseTimeLimit"/> is not reused (Postfix smtp_connection_cache_time_limit, smtp_connection_reuse_time_limit).
/// </summary>
public sealed class SmtpConnectionCache : IAsyncDisposable
{
    private sealed record Entry(SmtpClientConnection Connection, DateTimeOffset Opened, DateTimeOffset IdleSince);

    private readonly ConcurrentDictionary<string, ConcurrentQueue<Entry>> _idle = new();
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;
    private readonly ConcurrentDictionary<SmtpClientConnection, DateTimeOffset> _opened = new();
    private int _disposed;

    public SmtpConnectionCache(TimeProvider time)
    {
        _time = time;
        _sweep = time.CreateTimer(_ => _ = SweepAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public TimeSpan IdleLimit { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan ReuseTimeLimit { get; init; } = TimeSpan.FromSeconds(300);
    /// <summary>Idle connections kept per destination at most.</summary>
    public int MaxIdlePerDestination { get; init; } = 20;

    /// <summary>An idle, usable connection for <paramref name="key"/>, or null.</summary>
    public SmtpClientConnection? TryTake(string key)
    {
        if (!_idle.TryGetValue(key, out var queue)) return null;
        var now = _time.GetUtcNow();
        while (queue.TryDequeue(out var entry))
        {
            if (entry.Connection.IsUsable && now - entry.IdleSince < IdleLimit && now - entry.Opened < ReuseTimeLimit)
                return entry.Connection;
            _ = CloseAsync(entry.Connection);
        }
        return null;
    }

    /// <summary>Records when a fresh connection was opened (for the reuse time limit).</summary>
    public void Opened(SmtpClientConnection connection) => _opened[connection] = _time.GetUtcNow();

    /// <summary>Returns a connection after a delivery: kept when still usable, otherwise closed.</summary>
    public async ValueTask ReturnAsync(string key, SmtpClientConnection connection)
    {
        var queue = _idle.GetOrAdd(key, _ => new ConcurrentQueue<Entry>());
        if (Volatile.Read(ref _disposed) == 0 && connection.IsUsable && queue.Count < MaxIdlePerDestination)
        {
            var opened = _opened.TryGetValue(connection, out var o) ? o : _time.GetUtcNow();
            queue.Enqueue(new Entry(connection, opened, _time.GetUtcNow()));
            return;
        }
        await CloseAsync(connection).ConfigureAwait(false);
    }

    private async Task SweepAsync()
    {
        var now = _time.GetUtcNow();
        foreach (var queue in _idle.Values)
        {
            int n = queue.Count;
            for (int i = 0; i < n && queue.TryDequeue(out var entry); i++)
            {
                if (entry.Connection.IsUsable && now - entry.IdleSince < IdleLimit) queue.Enqueue(entry);
                else await CloseAsync(entry.Connection).ConfigureAwait(false);
            }
        }
    }

    private async Task CloseAsync(SmtpClientConnection connection)
    {
        _opened.TryRemove(connection, out _);
        try { await connection.DisposeAsync().ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _sweep.DisposeAsync().ConfigureAwait(false);
        foreach (var queue in _idle.Values)
            while (queue.TryDequeue(out var entry)) await CloseAsync(entry.Connection).ConfigureAwait(false);
    }
}
