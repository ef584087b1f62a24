namespace Postbote.MailAuth.Spf;

/// <summary>
/// The outcome of one SPF evaluation: the result, the identity checked ("mailfrom", or "helo" for the null
/// sender, RFC 7208 §2.3/§2.4), the domain it was checked for, and a short explanation for logs and headers.
/// DMARC (RFC 7489 §3.1.2) aligns <see cref="Domain"/> with the From: domain.
/// </summary>
public sealed record SpfCheck(SpfResult Result, string Identity, string Domain, string Explanation)
{
    /// <summary>The lower-case result word used in headers and by <c>postbote auth spf</c> ("pass", "softfail", ...).</summary>
    public string ResultWord => Result.ToString().ToLowerInvariant();
}
