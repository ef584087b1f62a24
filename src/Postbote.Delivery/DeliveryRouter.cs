using Postbote.Core.Delivery;

namespace Postbote.Delivery;

/// <summary>
/// Postfix's trivial-rewrite for Postbote: a recipient in a local domain goes to local delivery; otherwise,
/// with a relayhost configured, everything goes there; otherwise to the domain's MX hosts (RFC 5321 §5.1).
/// </summary>
public sealed class DeliveryRouter : IDeliveryRouter
{
    private readonly Func<string, CancellationToken, ValueTask<bool>> _isLocalDomain;
    private readonly IDeliveryAgent _local;
    private readonly IDeliveryAgent _remote;
    private readonly (string Host, int Port)? _relayhost;

    /// <param name="isLocalDomain">Whether an A-label domain is one of ours (configuration or directory).</param>
    /// <param name="local">Local delivery (Maildir or LMTP per domain).</param>
    /// <param name="remote">The SMTP client agent: to the relayhost when one is configured, else by MX.</param>
    /// <param name="relayhost">The smarthost, or null for MX delivery.</param>
    public DeliveryRouter(Func<string, CancellationToken, ValueTask<bool>> isLocalDomain, IDeliveryAgent local, IDeliveryAgent remote,
        (string Host, int Port)? relayhost)
    {
        _isLocalDomain = isLocalDomain;
        _local = local;
        _remote = remote;
        _relayhost = relayhost;
    }

    public async ValueTask<NextHop> RouteAsync(string recipient, CancellationToken cancellationToken)
    {
        int at = recipient.LastIndexOf('@');
        var domain = at < 0 ? "" : Core.Addressing.Mailbox.ToAscii(recipient[(at + 1)..]);
        if (domain.Length > 0 && !domain.StartsWith('[') && await _isLocalDomain(domain, cancellationToken).ConfigureAwait(false))
            return NextHop.Local(domain);
        if (_relayhost is { } relay) return NextHop.Relay(relay.Host, relay.Port);
        return NextHop.Mx(domain);
    }

    public IDeliveryAgent? GetAgent(NextHop nextHop) => nextHop.Kind == TransportKind.Local ? _local : _remote;
}
