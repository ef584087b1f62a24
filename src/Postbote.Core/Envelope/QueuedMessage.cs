namespace Postbote.Core.Envelope;

/// <summary>
/// The envelope of a spooled message: everything about it except its bytes (which live in their own,
/// never rewritten file). Small, so that a state change is a rewrite of this alone.
/// </summary>
public sealed class QueuedMessage
{
    public string QueueId { get; set; } = "";
    public DateTimeOffset ArrivalTime { get; set; }
    /// <summary>The reverse path; "" is the null sender (a bounce).</summary>
    public string ReversePath { get; set; } = "";
    public BodyType Body { get; set; }
    public bool SmtpUtf8 { get; set; }
    public DsnReturn Return { get; set; }
    public string? EnvelopeId { get; set; }
    public long Size { get; set; }
    /// <summary>XXH3-64 of the stored bytes (16 hex digits): lets the start-up scan after an unclean stop tell a
    /// commit that never completed (never acknowledged) from an intact message. Null in envelopes of older versions.</summary>
    public string? ContentHash { get; set; }
    public string ClientAddress { get; set; } = "";
    public string? HeloName { get; set; }
    /// <summary>RFC 3848 protocol: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA, LOCAL.</summary>
    public string Protocol { get; set; } = "ESMTP";
    public string? TlsProtocol { get; set; }
    public string? TlsCipher { get; set; }
    public string? AuthenticatedUser { get; set; }
    public string? Listener { get; set; }
    /// <summary>The NodeName of the server that accepted the message (several nodes: which one took it); null in envelopes written before.</summary>
    public string? AcceptedBy { get; set; }
    /// <summary>Header lines (CRLF-terminated) to send before the stored bytes at delivery, e.g. a DKIM-Signature.</summary>
    public List<string> PrependHeaders { get; set; } = new();
    /// <summary>
    /// Runs of the stored bytes left out at delivery, in ascending order (a forged Authentication-Results claiming our
    /// host name, RFC 8601 §5): the file is never rewritten. Null when there are none.
    /// </summary>
    public List<ByteRange>? OmitRanges { get; set; }
    /// <summary>The Maildir++ folder local delivery files the message into (a DMARC quarantine: "Junk"); null: the inbox.</summary>
    public string? Folder { get; set; }
    /// <summary>Header lines prepended, above <see cref="PrependHeaders"/>, only for forwarded recipients (our ARC set); null: none.</summary>
    public List<string>? ForwardPrependHeaders { get; set; }
    public List<QueuedRecipient> Recipients { get; set; } = new();
    public DateTimeOffset? NextAttempt { get; set; }
    public DateTimeOffset? LastAttempt { get; set; }
    public int Attempts { get; set; }
    public bool DelayWarningSent { get; set; }
    /// <summary>Why the message was put on hold when it arrived (a content filter's quarantine); null otherwise.</summary>
    public string? HoldReason { get; set; }

    public bool IsBounce => ReversePath.Length == 0;

    /// <summary>The octets of <see cref="OmitRanges"/>: what delivery leaves out of <see cref="Size"/>.</summary>
    public long OmittedLength()
    {
        long n = 0;
        if (OmitRanges is not null) foreach (var r in OmitRanges) n += r.Length;
        return n;
    }
    public bool IsComplete => Recipients.TrueForAll(r => r.IsDone);
}
