namespace Postbote.Smtpd;

/// <summary>
/// The quota of local mailboxes, asked at RCPT time so that mail for a full mailbox is refused with 452 4.2.2 while
/// the client is still connected, instead of being accepted and bounced later to a sender that may be forged
/// (backscatter). Implemented where delivery is known (Maildir); answers must be cheap (cached briefly).
/// </summary>
public interface IMailboxQuota
{
    /// <summary>
    /// True when the local mailbox <paramref name="address"/> has no room: its usage is at or over its quota, or the
    /// declared message size (RFC 1870 SIZE=, 0 when not given) would take it over. False for no quota.
    /// </summary>
    ValueTask<bool> IsFullAsync(string address, long declaredSize, CancellationToken ct);
}
