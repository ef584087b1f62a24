namespace Postbote.Smtpd;

/// <summary>The verdict of <see cref="SenderBinding"/> on a message's From: and Sender: fields.</summary>
public enum SenderBindingOutcome
{
    /// <summary>Every author and the sender are owned by the submitting identity (or there is no From:).</summary>
    Owned,
    /// <summary>More than one From: field (RFC 5322 §3.6 allows exactly one).</summary>
    SeveralFromFields,
    /// <summary>More than one Sender: field (RFC 5322 §3.6 allows at most one).</summary>
    SeveralSenderFields,
    /// <summary>A From: or Sender: that names no mailbox, does not parse, or is longer than the parser keeps.</summary>
    Unjudgeable,
    /// <summary>A From: mailbox the identity does not own.</summary>
    FromNotOwned,
    /// <summary>A Sender: mailbox the identity does not own.</summary>
    SenderNotOwned,
}
