namespace Postbote.Core.Delivery;

/// <summary>
/// The routing seam between the queue manager and the transports (Postfix's trivial-rewrite): maps a
/// recipient to its next hop and a next hop to the agent that delivers there. The real router (local
/// domains, relayhost, MX) lives in Postbote.Delivery; the queue knows only this interface.
/// </summary>
public interface IDeliveryRouter
{
    /// <summary>The next hop of a recipient mailbox ("local-part@domain").</summary>
    ValueTask<NextHop> RouteAsync(string recipient, CancellationToken cancellationToken);

    /// <summary>
    /// The agent that delivers to a next hop, or null when there is no transport for it yet (for example
    /// no local delivery configured): the queue then keeps those recipients pending with a status that says so.
    /// </summary>
    IDeliveryAgent? GetAgent(NextHop nextHop);
}
