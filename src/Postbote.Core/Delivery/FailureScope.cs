namespace Postbote.Core.Delivery;

/// <summary>
/// What a failure applies to, after Postfix's smtp_trouble.c: the queue manager decides from it whether
/// to try the next MX (Session, Site), defer the whole message (Message) or only this recipient (Recipient).
/// </summary>
public enum FailureScope
{
    /// <summary>No failure: the recipient was delivered or relayed.</summary>
    None,
    /// <summary>This connection failed (drop, timeout, 4xx greeting): try another host of the same destination.</summary>
    Session,
    /// <summary>The whole destination failed (DNS, every host down).</summary>
    Site,
    /// <summary>The message itself was refused (e.g. at DATA): affects every recipient of the transaction.</summary>
    Message,
    /// <summary>Only this recipient failed (RCPT refused, mailbox full).</summary>
    Recipient,
}
