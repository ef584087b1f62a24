namespace Postbote.Dns;

/// <summary>Settings of the DNS resolver used for MX and address lookups (configuration section "Dns").</summary>
public sealed class DnsOptions
{
    /// <summary>
    /// Recursive resolvers as "ip" or "ip:port" ("[v6]:port" for IPv6 with a port), tried in order.
    /// Empty means the system's configured resolvers (/etc/resolv.conf).
    /// </summary>
    public IList<string> Servers { get; set; } = new List<string>();

    /// <summary>Time to wait for one server's answer. 5 s, as resolv.conf's default "timeout:5".</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
