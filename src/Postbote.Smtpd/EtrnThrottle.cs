using System.Collections.Concurrent;
using System.Net;

namespace Postbote.Smtpd;

/// <summary>
/// When each client address last started deliveries with ETRN, so that one may do so at most once per
/// Limits:EtrnMinimumInterval, whatever the number of its connections. Entries older than the interval are pruned
/// as new ones come, so the table holds at most the clients of one interval.
/// </summary>
public sealed class EtrnThrottle
{
    private readonly ConcurrentDictionary<IPAddress, long> _last = new();
    private long _lastPrune;

    /// <summary>True, and the time noted, if <paramref name="client"/> may start an ETRN now.</summary>
    public bool TryStart(IPAddress client, TimeSpan interval, TimeProvider time)
    {
        long now = time.GetTimestamp();
        if (interval <= TimeSpan.Zero) return true;
        Prune(now, interval, time);
        while (true)
        {
            if (_last.TryGetValue(client, out long previous))
            {
                if (time.GetElapsedTime(previous, now) < interval) return false;
                if (_last.TryUpdate(client, now, previous)) return true;
            }
            else if (_last.TryAdd(client, now)) return true;
        }
    }

    private void Prune(long now, TimeSpan interval, TimeProvider time)
    {
        long last = Interlocked.Read(ref _lastPrune);
        if (time.GetElapsedTime(last, now) < interval || Interlocked.CompareExchange(ref _lastPrune, now, last) != last) return;
        foreach (var (client, at) in _last)
            if (time.GetElapsedTime(at, now) >= interval) _last.TryRemove(new KeyValuePair<IPAddress, long>(client, at));
    }
}
