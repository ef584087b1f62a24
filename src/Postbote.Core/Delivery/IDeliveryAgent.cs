namespace Postbote.Core.Delivery;

/// <summary>
/// A transport that delivers a message to some recipients: the outbound SMTP client, LMTP, Maildir.
/// Returns exactly one <see cref="RecipientResult"/> per recipient of the request, in the same order.
/// Expected failures are results, not exceptions; only cancellation throws.
/// </summary>
public interface IDeliveryAgent
{
    /// <summary>Transport name for the log, e.g. "smtp", "lmtp", "maildir".</summary>
    string Name { get; }

    Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, CancellationToken cancellationToken);
}
