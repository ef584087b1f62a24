using System.Net;

namespace Postbote.MailAuth.Spf;

/// <summary>The mechanisms of RFC 7208 §5.</summary>
public enum SpfMechanism { All, Include, A, Mx, Ptr, Ip4, Ip6, Exists }

/// <summary>
/// One directive of an SPF record: qualifier, mechanism, its domain-spec (a macro string, or null for the current
/// domain) and CIDR lengths (§5.6), or the network of ip4/ip6.
/// </summary>
public sealed record SpfDirective(SpfResult Qualifier, SpfMechanism Mechanism, string? DomainSpec = null,
    int Cidr4 = 32, int Cidr6 = 128, IPAddress? Network = null)
{
    /// <summary>True for the mechanisms counted against the 10-lookup limit (§4.6.4).</summary>
    public bool CausesDnsLookup => Mechanism is SpfMechanism.Include or SpfMechanism.A or SpfMechanism.Mx
        or SpfMechanism.Ptr or SpfMechanism.Exists;
}
