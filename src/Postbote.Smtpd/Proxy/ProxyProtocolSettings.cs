using System.Net;

namespace Postbote.Smtpd.Proxy;

/// <summary>A listener's PROXY protocol settings (configuration: Listeners[i].ProxyProtocol, ProxyProtocolFrom, ...).</summary>
public sealed class ProxyProtocolSettings
{
    /// <summary>The proxies allowed to connect; any other peer is refused (HAProxy spec §2: never accept it from anyone).</summary>
    public required IReadOnlyList<IPNetwork> AllowedProxies { get; init; }

    /// <summary>Time for the whole header to arrive: 5 s, Postfix's postscreen_upstream_proxy_timeout / smtpd_upstream_proxy_timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Largest header accepted (v2: 16 bytes plus addresses and TLVs). The spec's v1 maximum is 107 bytes and a v2
    /// header without TLVs at most 232; 4 KiB leaves room for TLS and unique-id TLVs without holding more per connection.
    /// </summary>
    public int MaxHeaderBytes { get; init; } = 4096;

    public bool IsAllowed(IPAddress peer) => RelayPolicy.IsTrusted(peer, AllowedProxies);
}
