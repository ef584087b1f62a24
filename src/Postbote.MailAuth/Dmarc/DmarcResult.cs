namespace Postbote.MailAuth.Dmarc;

/// <summary>The DMARC result of a message, as registered for Authentication-Results (RFC 7489 §11.2, RFC 8601).</summary>
public enum DmarcResult
{
    /// <summary>No policy record was found for the From: domain or its organisational domain.</summary>
    None,
    /// <summary>An aligned SPF or DKIM pass.</summary>
    Pass,
    /// <summary>A policy exists and no aligned identifier passed.</summary>
    Fail,
    /// <summary>The policy could not be fetched, or an aligned identifier failed temporarily: a later check may pass.</summary>
    TempError,
    /// <summary>The author cannot be identified (no From:, several, or one without a domain) or the record is broken.</summary>
    PermError,
}
