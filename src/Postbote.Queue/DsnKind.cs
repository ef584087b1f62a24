namespace Postbote.Queue;

/// <summary>Which delivery status notification a <see cref="Bounce"/> report is, for its subject and text.</summary>
public enum DsnKind
{
    /// <summary>Some recipients failed (or expired): "Undelivered Mail Returned to Sender".</summary>
    Failure,
    /// <summary>Some recipients are still being retried: "Delayed Mail".</summary>
    Delay,
    /// <summary>Delivery or relay succeeded where NOTIFY=SUCCESS asked for it.</summary>
    Success,
    /// <summary>A notification that could not be delivered, sent to the postmaster.</summary>
    PostmasterCopy,
}
