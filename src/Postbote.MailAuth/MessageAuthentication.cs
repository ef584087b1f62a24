using Postbote.MailAuth.Dkim;
using Postbote.MailAuth.Dmarc;
using Postbote.MailAuth.Results;
using Postbote.MailAuth.Spf;

namespace Postbote.MailAuth;

/// <summary>
/// The outcome of a message's checks: SPF (made at MAIL), each DKIM signature, DMARC per author domain, the action,
/// and the resinfos of its Authentication-Results field. <see cref="Methods"/> is open: a further check (ARC) adds its
/// result before the field is built with <see cref="AuthenticationResults"/>.
/// </summary>
public sealed class MessageAuthentication
{
    public required SpfCheck? Spf { get; init; }
    public required IReadOnlyList<DkimCheck> Dkim { get; init; }
    /// <summary>Null when DMARC is off.</summary>
    public required DmarcVerdict? Dmarc { get; init; }
    public MailAuthAction Action { get; set; }
    /// <summary>Why the action is not Accept: for the log and the reply text ("DMARC policy of example.org").</summary>
    public string Reason { get; set; } = "";
    public List<AuthenticationMethodResult> Methods { get; } = new();

    /// <summary>The Authentication-Results field (RFC 8601) of all <see cref="Methods"/>, CRLF-terminated.</summary>
    public string AuthenticationResults(string authservId) => AuthenticationResultsField.Build(authservId, Methods);
}
