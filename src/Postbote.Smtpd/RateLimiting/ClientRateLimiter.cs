using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Postbote.Smtpd.RateLimiting;

/// <summary>
/// Counts connections, messages, recipients and new TLS sessions per client in fixed windows of
/// <see cref="RateLimitOptions.TimeUnit"/> (Postfix anvil). A client is an IPv4 address or an IPv6 /64 (one
/// customer's network). The table is bounded by <see cref="RateLimitOptions.MaxClients"/> and pruned of clients
/// whose window has ended. Reads the injected clock only.
/// </summary>
public sealed class ClientRateLimiter
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);
    private readonly RateLimitOptions _options;
    private readonly IReadOnlyList<IPNetwork> _exempt;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<UInt128, ClientWindow> _clients = new();
    private long _lastPrune;
    private int _pruning;

    public ClientRateLimiter(RateLimitOptions options, IReadOnlyList<IPNetwork> exempt, TimeProvider time)
    {
        _options = options;
        _exempt = exempt;
        _time = time;
        _lastPrune = time.GetTimestamp();
    }

    public RateLimitOptions Options => _options;

    /// <summary>Clients in the table now (for tests and metrics).</summary>
    public int TrackedClients => _clients.Count;

    /// <summary>Counts one event of <paramref name="kind"/> for <paramref name="client"/> and says whether it is over the limit.</summary>
    public RateLimitVerdict Record(IPAddress client, RateLimitedEvent kind)
    {
        int limit = kind switch
        {
            RateLimitedEvent.Connection => _options.ConnectionRate,
            RateLimitedEvent.Message => _options.MessageRate,
            RateLimitedEvent.Recipient => _options.RecipientRate,
            _ => _options.NewTlsSessionRate,
        };
        if (limit <= 0 || RelayPolicy.IsTrusted(client, _exempt)) return RateLimitVerdict.Allow;
        long now = _time.GetTimestamp();
        PruneIfDue(now);
        var key = Key(client);
        if (!_clients.TryGetValue(key, out var window))
        {
            if (_clients.Count >= _options.MaxClients) return RateLimitVerdict.Allow; // full of active clients: do not count
            window = _clients.GetOrAdd(key, _ => new ClientWindow(now));
        }
        lock (window)
        {
            if (_time.GetElapsedTime(window.Start, now) >= _options.TimeUnit) window.Reset(now);
            int count = ++window.Counts[(int)kind];
            if (count <= limit) return RateLimitVerdict.Allow;
            if (window.LastLogged != 0 && _time.GetElapsedTime(window.LastLogged, now) < LogInterval) return RateLimitVerdict.Refuse;
            window.LastLogged = now;
            return RateLimitVerdict.RefuseAndLog;
        }
    }

    /// <summary>IPv4: the address; IPv6: its /64 prefix; the family in the high half keeps them apart.</summary>
    public static UInt128 Key(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return new UInt128(4, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes));
        return new UInt128(6, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[..8]));
    }

    /// <summary>Once per time unit, or when the table is full, drops clients whose window has ended (one thread at a time).</summary>
    private void PruneIfDue(long now)
    {
        bool full = _clients.Count >= _options.MaxClients;
        if (!full && _time.GetElapsedTime(Volatile.Read(ref _lastPrune), now) < _options.TimeUnit) return;
        if (Interlocked.Exchange(ref _pruning, 1) == 1) return;
        try
        {
            Volatile.Write(ref _lastPrune, now);
            foreach (var (key, window) in _clients)
            {
                bool expired;
                lock (window) expired = _time.GetElapsedTime(window.Start, now) >= _options.TimeUnit
                    && (window.LastLogged == 0 || _time.GetElapsedTime(window.LastLogged, now) >= LogInterval);
                if (expired) _clients.TryRemove(new KeyValuePair<UInt128, ClientWindow>(key, window));
            }
        }
        finally
        {
            Volatile.Write(ref _pruning, 0);
        }
    }

    private sealed class ClientWindow(long start)
    {
        public long Start = start;
        public readonly int[] Counts = new int[4];
        public long LastLogged;

        public void Reset(long now)
        {
            Start = now;
            Array.Clear(Counts);
        }
    }
}
