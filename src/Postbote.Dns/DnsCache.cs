using System.Collections.Concurrent;
using ARSoft.Tools.Net.Dns;

namespace Postbote.Dns;

/// <summary>
/// The answers of <see cref="DnsResolver"/>, shared by the accept side and delivery. Positive answers live for the
/// least TTL of their records, negative ones (NXDOMAIN, NODATA) for the SOA minimum of the authority section
/// (RFC 2308 §5), both capped by settings; temporary failures are never stored. Bounded in entries; expiry reads the
/// injected clock.
/// </summary>
public sealed class DnsCache
{
    private readonly ConcurrentDictionary<(string Name, RecordType Type), Entry> _entries = new();
    private readonly DnsOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates a cache bounded by <paramref name="options"/>' cache settings.</summary>
    public DnsCache(DnsOptions options, TimeProvider? time = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Entries currently held (expired ones included until they are read or purged).</summary>
    public int Count => _entries.Count;

    /// <summary>The cached answer for <paramref name="name"/>/<paramref name="type"/>, if present and not expired.</summary>
    public bool TryGet(string name, RecordType type, out DnsAnswer answer)
    {
        var key = (Normalise(name), type);
        if (_entries.TryGetValue(key, out var entry))
        {
            if (entry.Expires > _time.GetUtcNow())
            {
                answer = entry.Answer;
                return true;
            }
            _entries.TryRemove(new KeyValuePair<(string, RecordType), Entry>(key, entry));
        }
        answer = null!;
        return false;
    }

    /// <summary>Stores <paramref name="answer"/> for <paramref name="ttl"/> (capped); temporary failures and zero TTLs are not stored.</summary>
    public void Store(string name, RecordType type, DnsAnswer answer, TimeSpan ttl)
    {
        if (answer.Status == DnsAnswerStatus.TemporaryFailure || _options.CacheMaxEntries <= 0) return;
        var cap = answer.Status == DnsAnswerStatus.Success ? _options.CacheMaxTtl : _options.NegativeCacheMaxTtl;
        if (ttl > cap) ttl = cap;
        if (ttl <= TimeSpan.Zero) return;
        if (_entries.Count >= _options.CacheMaxEntries) MakeRoom();
        _entries[(Normalise(name), type)] = new Entry(answer, _time.GetUtcNow() + ttl);
    }

    /// <summary>The time to cache a response for (RFC 2308 §3/§5; RFC 2181 §5.2: the least TTL of the RRset).</summary>
    public static TimeSpan TtlOf(DnsAnswerStatus status, DnsMessage response)
    {
        if (status == DnsAnswerStatus.Success)
        {
            var least = int.MaxValue;
            foreach (var r in response.AnswerRecords) least = Math.Min(least, r.TimeToLive);
            return least == int.MaxValue ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Max(0, least));
        }
        if (status is DnsAnswerStatus.NxDomain or DnsAnswerStatus.NoData)
        {
            // RFC 2308 §5: the lesser of the SOA's own TTL and its MINIMUM field; no SOA, no negative caching.
            foreach (var r in response.AuthorityRecords)
                if (r is SoaRecord soa) return TimeSpan.FromSeconds(Math.Max(0, Math.Min(soa.TimeToLive, soa.NegativeCachingTTL)));
        }
        return TimeSpan.Zero;
    }

    private void MakeRoom()
    {
        var now = _time.GetUtcNow();
        foreach (var pair in _entries)
            if (pair.Value.Expires <= now) _entries.TryRemove(pair);
        // Still full of live entries: drop about a tenth, in whatever order the dictionary holds them.
        var excess = _entries.Count - _options.CacheMaxEntries * 9 / 10;
        foreach (var pair in _entries)
        {
            if (excess-- <= 0) break;
            _entries.TryRemove(pair);
        }
    }

    private static string Normalise(string name) => name.TrimEnd('.').ToLowerInvariant();

    private sealed record Entry(DnsAnswer Answer, DateTimeOffset Expires);
}
