using System.Net;

namespace Postbote.Delivery.Dns;

/// <summary>One host the SMTP client would try, with its preference and addresses in the order to try them.</summary>
/// <param name="Name">Host name without the trailing dot, e.g. "mx1.example.net" (or an address literal for a relayhost).</param>
/// <param name="Preference">MX preference; 0 for an implicit MX (RFC 5321 §5.1) or a relayhost.</param>
/// <param name="Addresses">Addresses of the host in the order to try: IPv4 (A) first, then IPv6 (AAAA).</param>
public readonly record struct MxHost(string Name, int Preference, IReadOnlyList<IPAddress> Addresses)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Preference} {Name} [{string.Join(", ", Addresses)}]";
}
