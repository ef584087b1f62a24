namespace Postbote.MailAuth.Dkim;

/// <summary>The result of verifying one DKIM signature, as registered for Authentication-Results (RFC 8601 §2.7.1).</summary>
public enum DkimResult
{
    None,
    Pass,
    Fail,
    Policy,
    Neutral,
    TempError,
    PermError,
}
