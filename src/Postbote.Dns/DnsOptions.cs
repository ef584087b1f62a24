namespace Postbote.Dns;

/// <summary>Settings of the DNS resolver and its shared cache (configuration section "Dns").</summary>
public sealed class DnsOptions
{
    /// <summary>
    /// Recursive resolvers as "ip" or "ip:port" ("[v6]:port" for IPv6 with a port), tried in order.
    /// Empty means the system's configured resolvers (/etc/resolv.conf).
    /// </summary>
    public IList<string> Servers { get; set; } = new List<string>();

    /// <summary>Time to wait for one server's answer. 5 s, as resolv.conf's default "timeout:5".</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most answers kept in the cache; 0 turns caching off. 10000 names, about a few MiB.</summary>
    public int CacheMaxEntries { get; set; } = 10_000;

    /// <summary>Longest time a positive answer is kept, whatever its TTL: 1 day, as unbound's cache-max-ttl.</summary>
    public TimeSpan CacheMaxTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Longest time an NXDOMAIN/NODATA answer is kept (RFC 2308 §5: its SOA minimum, "1 to 3 hours" at most):
    /// 1 hour, as unbound's cache-max-negative-ttl.
    /// </summary>
    public TimeSpan NegativeCacheMaxTtl { get; set; } = TimeSpan.FromHours(1);
}
