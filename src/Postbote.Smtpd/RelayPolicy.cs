using System.Net;

namespace Postbote.Smtpd;

/// <summary>
/// The one function that decides whether a recipient may be accepted for relay (never an open relay):
/// a recipient in a local domain is always accepted for local delivery; any other domain only for an
/// authenticated client or a client inside the trusted networks. The domain is the final one, after all
/// address parsing (source routes dropped; percent hack, bang paths and address literals never interpreted).
/// </summary>
public static class RelayPolicy
{
    public static RelayDecision Decide(string? authenticatedUser, IPAddress clientAddress, bool recipientDomainIsLocal, SmtpServerOptions options)
    {
        if (recipientDomainIsLocal) return RelayDecision.Local;
        if (authenticatedUser is not null) return RelayDecision.Relay;
        if (IsTrusted(clientAddress, options.TrustedNetworks)) return RelayDecision.Relay;
        return RelayDecision.Denied;
    }

    public static bool IsTrusted(IPAddress client, IReadOnlyList<IPNetwork> networks)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var net in networks)
            if (net.Contains(client)) return true;
        return false;
    }

    /// <summary>
    /// Local parts that try to smuggle another destination through a local domain: the percent hack
    /// ("user%other.example@local"), bang paths ("other!user@local") and "@" inside a quoted local part.
    /// Postbote never interprets them, and refuses them outright so no later component can.
    /// </summary>
    public static bool IsRoutingLocalPart(string localPart) =>
        localPart.Contains('%') || localPart.Contains('!') || localPart.Contains('@');
}

/// <summary>Outcome of <see cref="RelayPolicy.Decide"/>.</summary>
public enum RelayDecision
{
    Local,
    Relay,
    Denied,
}
