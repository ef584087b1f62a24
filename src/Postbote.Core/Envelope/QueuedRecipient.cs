namespace Postbote.Core.Envelope;

/// <summary>One recipient of a queued message with its RFC 3461 parameters and its delivery state.</summary>
public sealed class QueuedRecipient
{
    public string Address { get; set; } = "";
    /// <summary>The address the client gave at RCPT when alias expansion changed it.</summary>
    public string? OriginalAddress { get; set; }
    public DsnNotify Notify { get; set; }
    /// <summary>ORCPT= as "addr-type;address".</summary>
    public string? OriginalRecipientParameter { get; set; }
    /// <summary>
    /// True when an alias (or an SRS bounce address) sends this recipient off-site: forwarded mail, which gets the
    /// rewritten sender below and the forwarding headers (ARC) of the envelope.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Forwarded { get; set; }
    /// <summary>The envelope sender for this recipient when it differs from the message's (SRS on forwarded mail); null: the message's.</summary>
    public string? ReversePath { get; set; }
    public RecipientState State { get; set; }
    /// <summary>RFC 3463 status of the last attempt, e.g. "4.4.1".</summary>
    public string? Status { get; set; }
    /// <summary>The last remote reply or local reason.</summary>
    public string? Diagnostic { get; set; }
    public string? RemoteMta { get; set; }
    public DateTimeOffset? LastAttempt { get; set; }
    public int Attempts { get; set; }
    /// <summary>True when a success/relayed DSN was asked for and is yet to be sent.</summary>
    public bool DsnSent { get; set; }

    public bool IsDone => State != RecipientState.Pending;
}
