namespace Postbote.MailAuth;

/// <summary>What the end-of-DATA checks decide for a message (the session turns it into a reply or a delivery folder).</summary>
public enum MailAuthAction
{
    /// <summary>Accept and deliver normally (with the Authentication-Results field).</summary>
    Accept,
    /// <summary>Accept and deliver to the recipient's quarantine (Junk) folder, marked X-Spam-Flag: YES.</summary>
    Quarantine,
    /// <summary>Refuse with 550 5.7.1.</summary>
    Reject,
    /// <summary>Refuse with 451 4.7.1: a check failed temporarily and MailAuth:DmarcTempErrorAction is defer.</summary>
    Defer,
}
