using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postbote.Smtpd;

/// <summary>
/// Brute-force brake for AUTH. Failures are counted per (client network, attempted identity) and per client
/// network across identities, the network being the address for IPv4 and its /64 for IPv6 (one host's usual
/// allocation). Each failure adds a growing delay to its reply; past <see cref="SmtpdLimits.AuthFailuresBeforeBlock"/>
/// failures on one identity, that identity is refused from that network for <see cref="SmtpdLimits.AuthBlockDuration"/>
/// (even with the right password, so guessing learns nothing), and past
/// <see cref="SmtpdLimits.AuthFailuresPerNetworkBeforeBlock"/> the whole network is. A success clears only its own
/// identity's count: one valid account does not reset the guessing on another. Counts older than the block duration
/// expire; each table holds at most <see cref="SmtpdLimits.AuthThrottleMaxEntries"/> entries (oldest dropped first).
/// </summary>
public sealed class AuthThrottle
{
    private readonly ConcurrentDictionary<(IPAddress Network, string Identity), Entry> _identities = new();
    private readonly ConcurrentDictionary<IPAddress, Entry> _networks = new();
    private readonly TimeProvider _time;
    private readonly SmtpdLimits _limits;
    private readonly Lock _pruneLock = new();
    private DateTimeOffset _lastPrune;

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
        _lastPrune = time.GetUtcNow();
    }

    /// <summary>Entries held (both tables), for tests and metrics.</summary>
    public int Count => _identities.Count + _networks.Count;

    /// <summary>True while the client's network is refused AUTH altogether.</summary>
    public bool IsBlocked(IPAddress client) => IsBlocked(_networks, NetworkOf(client));

    /// <summary>True while <paramref name="identity"/> is refused from the client's network (or the network is).</summary>
    public bool IsBlocked(IPAddress client, string? identity)
    {
        var network = NetworkOf(client);
        return IsBlocked(_networks, network) || IsBlocked(_identities, (network, Normalize(identity)));
    }

    /// <summary>Records a failure on <paramref name="identity"/> (null when unknown); returns how long to wait before answering it.</summary>
    public TimeSpan RecordFailure(IPAddress client, string? identity)
    {
        var now = _time.GetUtcNow();
        PruneIfDue(now);
        var network = NetworkOf(client);
        int onIdentity = CountFailure(_identities, (network, Normalize(identity)), now, _limits.AuthFailuresBeforeBlock);
        CountFailure(_networks, network, now, _limits.AuthFailuresPerNetworkBeforeBlock);
        var delay = _limits.AuthFailureDelay * onIdentity;
        return delay > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : delay;
    }

    /// <summary>Clears the failures on this identity from this network; other identities' counts and the network's stay.</summary>
    public void RecordSuccess(IPAddress client, string identity) => _identities.TryRemove((NetworkOf(client), Normalize(identity)), out _);

    /// <summary>
    /// The identity a client's first non-empty SASL response names, so that a failure is counted against it: PLAIN's
    /// authcid (RFC 4616 §2), LOGIN's user name, CRAM-MD5's user (RFC 2195 §2), SCRAM's "n=" (RFC 5802 §5.1). Null
    /// when the response names none.
    /// </summary>
    public static string? AttemptedIdentity(string mechanism, ReadOnlySpan<byte> response)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(response);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        switch (mechanism)
        {
            case "PLAIN":
                var parts = text.Split('\0');
                return parts.Length == 3 ? parts[1] : null;
            case "LOGIN":
                return text;
            case "CRAM-MD5":
                int space = text.LastIndexOf(' ');
                return space > 0 ? text[..space] : null;
            default:
                if (!mechanism.StartsWith("SCRAM-", StringComparison.Ordinal)) return null;
                foreach (var attribute in text.Split(','))
                {
                    if (attribute.StartsWith("n=", StringComparison.Ordinal)) return attribute[2..].Replace("=2C", ",").Replace("=3D", "=");
                }
                return null;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>IPv4 (and IPv4-mapped IPv6): the address; IPv6: its /64.</summary>
    internal static IPAddress NetworkOf(IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6) return client.MapToIPv4();
        if (client.AddressFamily != AddressFamily.InterNetworkV6) return client;
        Span<byte> bytes = stackalloc byte[16];
        client.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    private static string Normalize(string? identity)
    {
        if (string.IsNullOrEmpty(identity)) return "";
        var trimmed = identity.Length > 320 ? identity[..320] : identity; // RFC 5321 §4.5.3.1: a path is at most 256
        return trimmed.ToLowerInvariant();
    }

    private bool IsBlocked<TKey>(ConcurrentDictionary<TKey, Entry> table, TKey key) where TKey : notnull
    {
        if (!table.TryGetValue(key, out var e)) return false;
        lock (e) return e.BlockedUntil > _time.GetUtcNow();
    }

    private int CountFailure<TKey>(ConcurrentDictionary<TKey, Entry> table, TKey key, DateTimeOffset now, int blockAt) where TKey : notnull
    {
        if (!table.ContainsKey(key) && table.Count >= _limits.AuthThrottleMaxEntries) Prune(table, now, makeRoom: true);
        var entry = table.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            if (now - entry.LastFailure > _limits.AuthBlockDuration) entry.Failures = 0;
            entry.Failures++;
            entry.LastFailure = now;
            if (entry.Failures >= blockAt) entry.BlockedUntil = now + _limits.AuthBlockDuration;
            return entry.Failures;
        }
    }

    /// <summary>Every <see cref="SmtpdLimits.AuthBlockDuration"/>, drops the counts that have expired.</summary>
    private void PruneIfDue(DateTimeOffset now)
    {
        lock (_pruneLock)
        {
            if (now - _lastPrune < _limits.AuthBlockDuration) return;
            _lastPrune = now;
        }
        Prune(_identities, now, makeRoom: false);
        Prune(_networks, now, makeRoom: false);
    }

    /// <summary>Drops expired entries; with <paramref name="makeRoom"/>, also the oldest one when none had expired.</summary>
    private void Prune<TKey>(ConcurrentDictionary<TKey, Entry> table, DateTimeOffset now, bool makeRoom) where TKey : notnull
    {
        bool removed = false;
        TKey? oldest = default;
        var oldestTime = DateTimeOffset.MaxValue;
        foreach (var (key, e) in table)
        {
            DateTimeOffset last, blockedUntil;
            lock (e) (last, blockedUntil) = (e.LastFailure, e.BlockedUntil);
            if (now - last > _limits.AuthBlockDuration && blockedUntil <= now)
            {
                removed |= table.TryRemove(key, out _);
            }
            else if (last < oldestTime)
            {
                oldestTime = last;
                oldest = key;
            }
        }
        if (makeRoom && !removed && oldest is not null) table.TryRemove(oldest, out _);
    }
}
