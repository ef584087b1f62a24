using Postbote.Core.Smtp;
using Postbote.MailAuth.Dkim;
using Postbote.MailAuth.Dmarc;
using Postbote.MailAuth.Results;
using Postbote.MailAuth.Spf;
using static Postbote.MailAuth.Results.AuthenticationMethodResult;

namespace Postbote.MailAuth;

/// <summary>
/// The end-of-DATA checks of a message from a stranger (Mx listener, neither authenticated nor trusted): its DKIM
/// signatures (body hashes already computed as it streamed to the spool) and its DMARC policy lookups, all in parallel
/// within MailAuth:EndOfDataCheckBudget, then DMARC with the SPF result of MAIL, and the action the settings give.
/// A lookup that does not finish in time is temperror, which never loses mail unless DmarcTempErrorAction says defer.
/// </summary>
public sealed class MessageAuthenticator
{
    private readonly MailAuthOptions _options;
    private readonly TimeProvider _time;

    public MessageAuthenticator(MailAuthOptions options, DkimVerifier? dkim, DmarcEvaluator? dmarc, int maxHeaderBytes, TimeProvider? time = null)
    {
        _options = options;
        Dkim = dkim;
        Dmarc = dmarc;
        MaxHeaderBytes = maxHeaderBytes;
        _time = time ?? TimeProvider.System;
    }

    public DkimVerifier? Dkim { get; }
    public DmarcEvaluator? Dmarc { get; }
    /// <summary>Most header octets kept per message (Dkim:MaxHeaderBytes); a longer header section cannot be checked.</summary>
    public int MaxHeaderBytes { get; }
    /// <summary>The Maildir++ folder a quarantined message is delivered to (MailAuth:QuarantineFolder).</summary>
    public string QuarantineFolder => _options.QuarantineFolder;

    /// <summary>The capture to feed while the message streams to the spool (header copy, DKIM body hashes).</summary>
    public DkimMessageCapture BeginCapture() => DkimMessageCapture.ForChecks(MaxHeaderBytes, Dkim);

    /// <summary>
    /// Checks a received message. <paramref name="mailFrom"/> is the reverse-path as given (for smtp.mailfrom);
    /// <paramref name="capture"/> the capture begun with <see cref="BeginCapture"/>, its header section complete.
    /// </summary>
    public async Task<MessageAuthentication> AuthenticateAsync(SpfCheck? spf, string mailFrom, DkimMessageCapture capture,
        HeaderSectionParser headers, CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(_options.EndOfDataCheckBudget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var author = Dmarc is null ? null : DmarcAuthor.FromHeader(headers);
        var lookups = author is null ? [] : Dmarc!.DiscoverAll(author, linked.Token);
        IReadOnlyList<DkimCheck> dkim = capture.Verification is { } verification ? await verification.FinishAsync(linked.Token).ConfigureAwait(false) : [];
        var verdict = author is null ? null : Dmarc!.Evaluate(author, await Task.WhenAll(lookups).ConfigureAwait(false), spf, dkim);
        var result = new MessageAuthentication { Spf = spf, Dkim = dkim, Dmarc = verdict };
        AddMethods(result, mailFrom);
        if (verdict is not null) Decide(result, verdict.Decisive);
        return result;
    }

    private void Decide(MessageAuthentication result, DmarcCheck decisive)
    {
        var of = decisive.FromDomain.Length == 0 ? decisive.Reason : "DMARC policy of " + decisive.PolicyDomain;
        (result.Action, result.Reason) = decisive switch
        {
            { Disposition: DmarcPolicy.Reject } => (_options.DmarcRejectAction switch
            {
                "reject" => MailAuthAction.Reject,
                "quarantine" => MailAuthAction.Quarantine,
                _ => MailAuthAction.Accept,
            }, of),
            { Disposition: DmarcPolicy.Quarantine } => (_options.DmarcQuarantineAction == "quarantine" ? MailAuthAction.Quarantine : MailAuthAction.Accept, of),
            { Result: DmarcResult.TempError } => (_options.DmarcTempErrorAction == "defer" ? MailAuthAction.Defer : MailAuthAction.Accept, decisive.Reason),
            _ => (MailAuthAction.Accept, ""),
        };
    }

    private void AddMethods(MessageAuthentication result, string mailFrom)
    {
        if (result.Spf is { } spf)
        {
            result.Methods.Add(spf.Identity == "helo"
                ? new AuthenticationMethodResult("spf", spf.ResultWord, spf.Explanation, Property("smtp.helo", spf.Domain))
                : new AuthenticationMethodResult("spf", spf.ResultWord, spf.Explanation, Property("smtp.mailfrom", mailFrom.Length > 0 ? mailFrom : spf.Domain)));
        }
        if (Dkim is not null)
        {
            if (result.Dkim.Count == 0) result.Methods.Add(new AuthenticationMethodResult("dkim", "none"));
            foreach (var d in result.Dkim)
            {
                result.Methods.Add(d.Domain.Length == 0
                    ? new AuthenticationMethodResult("dkim", d.ResultWord, d.Reason)
                    : new AuthenticationMethodResult("dkim", d.ResultWord, d.Reason,
                        Property("header.d", d.Domain), Property("header.s", d.Selector), Property("header.a", d.Algorithm)));
            }
        }
        if (result.Dmarc is { } verdict)
        {
            foreach (var c in verdict.Checks)
            {
                if (c.FromDomain.Length == 0)
                {
                    result.Methods.Add(new AuthenticationMethodResult("dmarc", c.ResultWord, c.Reason));
                    continue;
                }
                var comment = c.Policy is { } p ? $"p={DmarcRecord.Word(p)} dis={DmarcRecord.Word(c.Disposition)}" : c.Reason;
                result.Methods.Add(new AuthenticationMethodResult("dmarc", c.ResultWord, comment, Property("header.from", c.FromDomain)));
            }
        }
    }
}
