using System.Collections.Concurrent;
using System.Net;

namespace Postbote.Smtpd;

/// <summary>
/// Brute-force brake for AUTH: failures are counted per client address; each adds a growing delay to the
/// next failure reply, and past a threshold the address is refused (421 4.7.0) for a while.
/// </summary>
public sealed class AuthThrottle
{
    private readonly ConcurrentDictionary<IPAddress, Entry> _entries = new();
    private readonly TimeProvider _time;
    private readonly SmtpdLimits _limits;

    private sealed class Entry
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset BlockedUntil;
    }

    public AuthThrottle(SmtpdLimits limits, TimeProvider time)
    {
        _limits = limits;
        _time = time;
    }

    public bool IsBlocked(IPAddress client) =>
        _entries.TryGetValue(client, out var e) && e.BlockedUntil > _time.GetUtcNow();

    /// <summary>Records a failure; returns how long to wait before answering it.</summary>
    public TimeSpan RecordFailure(IPAddress client)
    {
        var now = _time.GetUtcNow();
        var entry = _entries.GetOrAdd(client, _ => new Entry());
        lock (entry)
        {
            if (now - entry.LastFailure > _limits.AuthBlockDuration) entry.Failures = 0;
            entry.Failures++;
            entry.LastFailure = now;
            if (entry.Failures >= _limits.AuthFailuresBeforeBlock) entry.BlockedUntil = now + _limits.AuthBlockDuration;
            var delay = _limits.AuthFailureDelay * entry.Failures;
            return delay > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : delay;
        }
    }

    public void RecordSuccess(IPAddress client) => _entries.TryRemove(client, out _);
}
