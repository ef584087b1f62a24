namespace Postbote.MailAuth.Dkim;

/// <summary>
/// The outcome of verifying one DKIM-Signature field: the result, the signing domain (d=) that DMARC aligns
/// with the From: domain (RFC 7489 §3.1.1), the selector (s=), the algorithm (a=) and a reason for failures.
/// </summary>
public sealed record DkimCheck(DkimResult Result, string Domain, string Selector, string Algorithm, string Reason)
{
    public string ResultWord => Result.ToString().ToLowerInvariant();
}
