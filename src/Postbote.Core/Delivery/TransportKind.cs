namespace Postbote.Core.Delivery;

/// <summary>How a next hop is reached (Postfix's transport field of a trivial-rewrite answer).</summary>
public enum TransportKind
{
    /// <summary>A local mailbox domain (Maildir, LMTP to a local store).</summary>
    Local,
    /// <summary>A configured smarthost: every non-local recipient goes there.</summary>
    Relayhost,
    /// <summary>Direct delivery to the MX hosts of the recipient domain.</summary>
    Mx,
}
