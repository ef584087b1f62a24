namespace Postbote.Core.Delivery;

/// <summary>
/// Where a recipient goes next: a transport kind and a destination. Recipients with the same
/// <see cref="Key"/> are delivered together (one request, one connection) and share the per-destination
/// concurrency limit, as Postfix's qmgr groups by transport and nexthop.
/// </summary>
/// <param name="Kind">The transport kind.</param>
/// <param name="Destination">The destination: a domain for <see cref="TransportKind.Local"/> and
/// <see cref="TransportKind.Mx"/>, "[host]:port" for <see cref="TransportKind.Relayhost"/>. Lower case.</param>
public readonly record struct NextHop(TransportKind Kind, string Destination)
{
    /// <summary>The grouping key, e.g. "local:example.org", "relay:[smtp.example]:587", "mx:example.net".</summary>
    public string Key => Kind switch
    {
        TransportKind.Local => "local:" + Destination,
        TransportKind.Relayhost => "relay:" + Destination,
        _ => "mx:" + Destination,
    };

    /// <summary>A local domain.</summary>
    public static NextHop Local(string domain) => new(TransportKind.Local, domain.ToLowerInvariant());

    /// <summary>A relayhost, written as Postfix writes one ("[host]:port": no MX lookup).</summary>
    public static NextHop Relay(string host, int port) => new(TransportKind.Relayhost, $"[{host.ToLowerInvariant()}]:{port}");

    /// <summary>The MX hosts of a domain.</summary>
    public static NextHop Mx(string domain) => new(TransportKind.Mx, domain.ToLowerInvariant());

    public override string ToString() => Key;
}
