using System.Collections.Concurrent;
using System.Net;

namespace Postbote.Smtpd;

/// <summary>
/// When each client address last started deliveries for a domain with ETRN, so that it may do so at most once per
/// Limits:EtrnMinimumInterval, whatever the number of its connections. Only an ETRN that started deliveries is
/// noted, so the table holds at most (clients × domains with mail waiting) of one interval; older entries are
/// pruned as new ones come.
/// </summary>
public sealed class EtrnThrottle
{
    private readonly ConcurrentDictionary<(IPAddress Client, string Domain), long> _last = new();
    private long _lastPrune;

    /// <summary>False if <paramref name="client"/> started deliveries for <paramref name="domain"/> less than <paramref name="interval"/> ago.</summary>
    public bool IsAllowed(IPAddress client, string domain, TimeSpan interval, TimeProvider time) =>
        interval <= TimeSpan.Zero || !_last.TryGetValue((client, domain.ToLowerInvariant()), out long at) || time.GetElapsedTime(at) >= interval;

    /// <summary>Notes that <paramref name="client"/> has just started deliveries for <paramref name="domain"/>.</summary>
    public void Started(IPAddress client, string domain, TimeSpan interval, TimeProvider time)
    {
        if (interval <= TimeSpan.Zero) return;
        long now = time.GetTimestamp();
        _last[(client, domain.ToLowerInvariant())] = now;
        long last = Interlocked.Read(ref _lastPrune);
        if (time.GetElapsedTime(last, now) < interval || Interlocked.CompareExchange(ref _lastPrune, now, last) != last) return;
        foreach (var entry in _last)
            if (time.GetElapsedTime(entry.Value, now) >= interval) _last.TryRemove(entry);
    }
}
