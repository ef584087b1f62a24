namespace Postbote.Delivery.Dns;

/// <summary>
/// The ordered list of hosts a client tries for a domain (RFC 5321 §5.1), or why there is none.
/// A value that a CLI (<c>postbote dns route &lt;domain&gt;</c>) can print and the SMTP agent can walk.
/// </summary>
/// <param name="Domain">The destination domain as asked.</param>
/// <param name="Hosts">Hosts in the order to try; empty when <paramref name="Error"/> is set.</param>
/// <param name="Error">Null when the route is usable.</param>
/// <param name="IsImplicitMx">True when the domain has no MX and its own A/AAAA serve as implicit MX.</param>
public readonly record struct MxRoute(string Domain, IReadOnlyList<MxHost> Hosts, RouteError? Error, bool IsImplicitMx = false)
{
    /// <summary>True when there is at least one host to try.</summary>
    public bool IsSuccess => Error is null && Hosts.Count > 0;

    /// <summary>A route that failed.</summary>
    public static MxRoute Failed(string domain, bool permanent, string status, string diagnostic)
        => new(domain, Array.Empty<MxHost>(), new RouteError(permanent, status, diagnostic));

    /// <summary>A single-host route (relayhost, LMTP server, test peer).</summary>
    public static MxRoute Single(string domain, MxHost host) => new(domain, new[] { host }, null);
}
