namespace Postbote.Core.Delivery;

/// <summary>The per-recipient action of RFC 3464 §2.3.3.</summary>
public enum DeliveryAction
{
    /// <summary>Delivered to the final mailbox.</summary>
    Delivered,
    /// <summary>Handed to a next hop that does not offer DSN (RFC 3464 "relayed").</summary>
    Relayed,
    /// <summary>Handed to a next hop; no final outcome known (accepted by a DSN-capable relay).</summary>
    Expanded,
    /// <summary>Temporary failure: try again later.</summary>
    Delayed,
    /// <summary>Permanent failure: bounce.</summary>
    Failed,
}
