namespace Postbote.MailAuth.Dmarc;

/// <summary>A DMARC policy (RFC 7489 §6.3, p= and sp=), and the disposition a failing message gets (§6.6.4).</summary>
public enum DmarcPolicy
{
    None,
    Quarantine,
    Reject,
}
