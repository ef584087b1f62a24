using Postbote.MailAuth.Arc;

namespace Postbote.Smtpd;

/// <summary>
/// ARC in the session (Arc:Seal, RFC 8617): a transaction that forwards off-site through an alias of a domain with an
/// RSA DKIM key captures the message for sealing; at commit the chain it came with is validated and our set is made,
/// kept in the envelope to prepend for the forwarded recipients only. Costs nothing without a forwarded recipient.
/// </summary>
public sealed partial class SmtpSession
{
    /// <summary>Notes the alias domain that forwards <paramref name="forwarded"/> when it can seal (the first one does).</summary>
    private void NoteForwardingDomain(SmtpTransaction tx, string aliasDomain, IReadOnlyList<string>? forwarded)
    {
        if (forwarded is null || tx.ForwardingDomain is not null || _services.ArcSealer is not { } sealer) return;
        if (sealer.CanSeal(aliasDomain)) tx.ForwardingDomain = aliasDomain;
    }

    /// <summary>Starts the capture sealing needs, when this transaction forwards through an alias of a domain that seals.</summary>
    private void BeginArcCapture()
    {
        if (_tx!.ForwardingDomain is null || _services.ArcVerifier is not { } verifier || _services.ArcSealer is not { } sealer) return;
        _incoming!.CaptureForArc(new ArcMessageCapture(verifier, sealer.MaxHeaderBytes));
    }

    /// <summary>
    /// Our ARC set for the forwarded copies: the incoming chain validated, our Authentication-Results as
    /// ARC-Authentication-Results, sealed with the forwarding domain's key over the header as delivered (the fields
    /// in <paramref name="prepend"/> first). Null when there is nothing to seal.
    /// </summary>
    private async ValueTask<List<string>?> SealForwardedAsync(SmtpTransaction tx, ArcMessageCapture arc, IReadOnlyList<string> prepend, string queueId)
    {
        if (tx.ForwardingDomain is not { } domain || _services.ArcSealer is not { } sealer || arc.HeaderTooLong) return null;
        var chain = arc.Chain;
        var check = chain is null ? ArcCheck.NoChain : await chain.FinishAsync(CancellationToken.None).ConfigureAwait(false);
        var prefix = System.Text.Encoding.UTF8.GetBytes(string.Concat(prepend));
        var header = new byte[prefix.Length + arc.Header.Length];
        prefix.CopyTo(header, 0);
        arc.Header.CopyTo(header.AsSpan(prefix.Length));
        var set = sealer.Seal(header, arc.BodyHash(), chain, check, ArcAuthenticationResults(tx, check), domain, queueId);
        return set.Count == 0 ? null : set.ToList();
    }

    /// <summary>The results we vouch for in ARC-Authentication-Results: SPF at MAIL and the ARC chain (RFC 8617 §4.1.1).</summary>
    private string ArcAuthenticationResults(SmtpTransaction tx, ArcCheck check)
    {
        var results = new System.Text.StringBuilder(_options.Hostname);
        if (tx.Spf is { } spf) results.Append(";\r\n\tspf=").Append(spf.ResultWord).Append(" smtp.mailfrom=").Append(spf.Domain);
        results.Append(";\r\n\tarc=").Append(check.ResultWord);
        if (check.Result == ArcResult.Fail && check.Reason.Length > 0) results.Append(" (").Append(check.Reason.Replace('(', '[').Replace(')', ']')).Append(')');
        if (check.Result == ArcResult.Pass) results.Append(" header.oldest-pass=").Append(check.OldestPass);
        return results.ToString();
    }
}
