using System.Net;

namespace Postbote.Delivery.Dns;

/// <summary>Who "this server" is, for the RFC 5321 §5.1 rule that an MX list must not lead back to ourselves.</summary>
public sealed class MxResolverOptions
{
    /// <summary>Names this server answers to (the configured Hostname and aliases); compared case-insensitively.</summary>
    public ISet<string> LocalHostnames { get; set; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Addresses of this server's listeners. An MX host resolving to one of them is this server.</summary>
    public ISet<IPAddress> LocalAddresses { get; set; } = new HashSet<IPAddress>();

    /// <summary>Look up AAAA records for MX hosts (disable on hosts without IPv6). Default true.</summary>
    public bool UseIPv6 { get; set; } = true;
}
