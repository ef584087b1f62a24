using System.Collections.Concurrent;
using System.Net;

namespace Postbote.Smtpd;

/// <summary>Counts connections in total and per client address (Postfix's anvil, for concurrency).</summary>
public sealed class ConnectionLimiter
{
    private readonly ConcurrentDictionary<IPAddress, int> _perClient = new();
    private int _total;

    public int Total => Volatile.Read(ref _total);

    public bool TryAcquire(IPAddress client, SmtpdLimits limits)
    {
        if (Interlocked.Increment(ref _total) > limits.ConnectionsTotal)
        {
            Interlocked.Decrement(ref _total);
            return false;
        }
        int count = _perClient.AddOrUpdate(client, 1, (_, c) => c + 1);
        if (count > limits.ConnectionsPerClient)
        {
            Release(client);
            return false;
        }
        return true;
    }

    public void Release(IPAddress client)
    {
        Interlocked.Decrement(ref _total);
        while (true)
        {
            if (!_perClient.TryGetValue(client, out int c)) return;
            if (c <= 1)
            {
                if (_perClient.TryRemove(new KeyValuePair<IPAddress, int>(client, c))) return;
            }
            else if (_perClient.TryUpdate(client, c - 1, c)) return;
        }
    }
}
