using Postbote.Core.Smtp;

namespace Postbote.Smtpd;

/// <summary>A mail transaction in progress: MAIL FROM and the accepted recipients (RFC 5321 §3.3).</summary>
internal sealed class SmtpTransaction
{
    public SmtpTransaction(MailFromCommand mail) => Mail = mail;

    public MailFromCommand Mail { get; }
    public List<RcptToCommand> Recipients { get; } = new();
    /// <summary>The final mailboxes of each accepted recipient (same index): resolved at RCPT time for local ones, the address itself otherwise.</summary>
    public List<IReadOnlyList<string>> Mailboxes { get; } = new();
    /// <summary>Final mailboxes that aliases (or SRS bounce addresses) send off-site: forwarded mail (SRS, ARC); null: none.</summary>
    public HashSet<string>? Forwarded { get; set; }
    /// <summary>The alias domain whose DKIM key seals the forwarded copies (ARC); null: nothing to seal.</summary>
    public string? ForwardingDomain { get; set; }
    /// <summary>BDAT was used: DATA is no longer allowed in this transaction (RFC 3030 §2).</summary>
    public bool UsedBdat { get; set; }
    /// <summary>The queue id given at MAIL when content filters run (their macro i); null: given at DATA.</summary>
    public string? QueueId { get; set; }
    /// <summary>The SPF check made at MAIL (Mx listeners, untrusted clients only); null when none was made.</summary>
    public Postbote.MailAuth.Spf.SpfCheck? Spf { get; init; }
    /// <summary>The optional sender restrictions were evaluated (at the first RCPT); their refusal, if any.</summary>
    public bool SenderRestricted { get; set; }
    public SmtpReply? SenderRefusal { get; set; }
}
