using Postbote.Dns;
using Postbote.MailAuth.Dkim;
using Postbote.MailAuth.Spf;

namespace Postbote.MailAuth.Dmarc;

/// <summary>
/// DMARC (RFC 7489): policy discovery through <see cref="DnsResolver"/> (the _dmarc record of the From: domain, else
/// of its organisational domain from the <see cref="PublicSuffixList"/>), identifier alignment of the SPF domain
/// (MAIL FROM, or HELO for the null sender, §3.1.2) and of each DKIM d= (§3.1.1), relaxed or strict, and the policy
/// with p=/sp=/pct= (§6.6.4) and DMARCbis's t=y. Discovery and evaluation are separate so that a session can look the
/// policy up while the DKIM keys are fetched; <see cref="Evaluate"/> is pure.
/// </summary>
public sealed class DmarcEvaluator
{
    private readonly DnsResolver _dns;
    private readonly Func<int> _sample;

    /// <param name="sample">A number 0..99 per failing message for pct= (default: random); tests fix it.</param>
    public DmarcEvaluator(DnsResolver dns, PublicSuffixList suffixes, Func<int>? sample = null)
    {
        _dns = dns;
        Suffixes = suffixes;
        _sample = sample ?? (() => Random.Shared.Next(100));
    }

    public PublicSuffixList Suffixes { get; }

    /// <summary>Discovers and evaluates every author domain of a message.</summary>
    public async Task<DmarcVerdict> CheckAsync(DmarcAuthor author, SpfCheck? spf, IReadOnlyList<DkimCheck> dkim, CancellationToken ct)
    {
        var lookups = await Task.WhenAll(DiscoverAll(author, ct)).ConfigureAwait(false);
        return Evaluate(author, lookups, spf, dkim);
    }

    /// <summary>Starts the policy discovery of each author domain (none for an invalid author).</summary>
    public Task<DmarcPolicyLookup>[] DiscoverAll(DmarcAuthor author, CancellationToken ct) =>
        author.Domains.Select(d => DiscoverAsync(d, ct)).ToArray();

    /// <summary>The verdict from the lookups <see cref="DiscoverAll"/> made (same order as the author's domains).</summary>
    public DmarcVerdict Evaluate(DmarcAuthor author, IReadOnlyList<DmarcPolicyLookup> lookups, SpfCheck? spf, IReadOnlyList<DkimCheck> dkim)
    {
        if (!author.IsValid)
            return new DmarcVerdict([new DmarcCheck(DmarcResult.PermError, "", author.Problem) { Disposition = DmarcPolicy.Reject }]);
        var checks = new List<DmarcCheck>(author.Domains.Count);
        for (int i = 0; i < author.Domains.Count; i++) checks.Add(Evaluate(author.Domains[i], lookups[i], spf, dkim));
        return new DmarcVerdict(checks);
    }

    /// <summary>
    /// RFC 7489 §6.6.3: the _dmarc TXT record of the From: domain; if there is none, that of the organisational domain.
    /// Several DMARC records at one name mean no policy; TXT records not starting with v=DMARC1 are ignored.
    /// </summary>
    public async Task<DmarcPolicyLookup> DiscoverAsync(string fromDomain, CancellationToken ct)
    {
        var first = await LookupAsync(fromDomain, false, ct).ConfigureAwait(false);
        if (first.Record is not null || first.Error is not null) return first;
        var organizational = Suffixes.OrganizationalDomain(fromDomain);
        if (string.Equals(organizational, fromDomain, StringComparison.OrdinalIgnoreCase)) return first;
        var second = await LookupAsync(organizational, true, ct).ConfigureAwait(false);
        return second.Record is not null || second.Error is not null ? second : first with { Reason = first.Reason + "; " + second.Reason };
    }

    private async Task<DmarcPolicyLookup> LookupAsync(string domain, bool organizational, CancellationToken ct)
    {
        DnsAnswer answer;
        IReadOnlyList<string> texts;
        try { (answer, texts) = await _dns.QueryTxtAsync("_dmarc." + domain, ct).ConfigureAwait(false); }
        catch (ArgumentException) { return new DmarcPolicyLookup(null, domain, organizational, DmarcResult.PermError, $"{domain} is not a valid domain name"); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new DmarcPolicyLookup(null, domain, organizational, DmarcResult.TempError, $"_dmarc.{domain}: time budget exhausted");
        }
        if (answer.Status == DnsAnswerStatus.TemporaryFailure)
            return new DmarcPolicyLookup(null, domain, organizational, DmarcResult.TempError, $"_dmarc.{domain}: {answer.Detail}");
        var records = texts.Where(DmarcRecord.IsDmarc).ToList();
        if (records.Count == 0) return new DmarcPolicyLookup(null, domain, organizational, null, $"no record at _dmarc.{domain}");
        if (records.Count > 1) return new DmarcPolicyLookup(null, domain, organizational, null, $"{records.Count} records at _dmarc.{domain}: no policy (RFC 7489 §6.6.3)");
        var record = DmarcRecord.Parse(records[0], out var error);
        return record is null
            ? new DmarcPolicyLookup(null, domain, organizational, null, $"_dmarc.{domain}: {error}")
            : new DmarcPolicyLookup(record, domain, organizational, null, "");
    }

    /// <summary>The DMARC check of one From: domain, given its policy lookup and the SPF and DKIM results (§6.6.2).</summary>
    public DmarcCheck Evaluate(string fromDomain, DmarcPolicyLookup lookup, SpfCheck? spf, IReadOnlyList<DkimCheck> dkim)
    {
        if (lookup.Error is { } error)
        {
            // An invalid From: domain cannot be identified: judged like a missing author.
            var disposition = error == DmarcResult.PermError ? DmarcPolicy.Reject : DmarcPolicy.None;
            return new DmarcCheck(error, fromDomain, lookup.Reason) { PolicyDomain = lookup.PolicyDomain, Disposition = disposition };
        }
        if (lookup.Record is not { } record) return new DmarcCheck(DmarcResult.None, fromDomain, lookup.Reason);
        var policy = lookup.AtOrganizationalDomain ? record.SubdomainPolicy ?? record.Policy : record.Policy;
        DmarcCheck Check(DmarcResult result, string reason) =>
            new(result, fromDomain, reason) { Policy = policy, PolicyDomain = lookup.PolicyDomain };

        bool tempError = false;
        foreach (var d in dkim)
        {
            if (d.Domain.Length == 0 || !Aligned(d.Domain, fromDomain, record.StrictDkim)) continue;
            if (d.Result == DkimResult.Pass) return Check(DmarcResult.Pass, $"DKIM d={d.Domain} aligned");
            tempError |= d.Result == DkimResult.TempError;
        }
        if (spf is not null && Aligned(spf.Domain, fromDomain, record.StrictSpf))
        {
            if (spf.Result == SpfResult.Pass) return Check(DmarcResult.Pass, $"SPF {spf.Identity}={spf.Domain} aligned");
            tempError |= spf.Result == SpfResult.TempError;
        }
        // An aligned identifier that could not be checked might have passed: no policy is applied on a guess.
        if (tempError) return Check(DmarcResult.TempError, "an aligned SPF or DKIM check failed temporarily");

        var applied = policy;
        bool sampled = false;
        if (applied != DmarcPolicy.None && (record.Testing || (record.Percent < 100 && _sample() >= record.Percent)))
        {
            applied = applied == DmarcPolicy.Reject ? DmarcPolicy.Quarantine : DmarcPolicy.None;
            sampled = true;
        }
        return Check(DmarcResult.Fail, FailReason(fromDomain, spf, dkim)) with { Disposition = applied, Sampled = sampled };
    }

    /// <summary>
    /// Identifier alignment (RFC 7489 §3.1): strict, the same name; relaxed, the same organisational domain.
    /// </summary>
    public bool Aligned(string identifier, string fromDomain, bool strict)
    {
        identifier = identifier.TrimEnd('.');
        if (string.Equals(identifier, fromDomain, StringComparison.OrdinalIgnoreCase)) return true;
        if (strict) return false;
        return string.Equals(Suffixes.OrganizationalDomain(identifier), Suffixes.OrganizationalDomain(fromDomain), StringComparison.Ordinal);
    }

    private string FailReason(string fromDomain, SpfCheck? spf, IReadOnlyList<DkimCheck> dkim)
    {
        var passing = dkim.Where(d => d.Result == DkimResult.Pass).Select(d => "d=" + d.Domain).ToList();
        if (spf?.Result == SpfResult.Pass) passing.Add($"SPF {spf.Domain}");
        return passing.Count == 0
            ? $"no SPF or DKIM pass for {fromDomain}"
            : $"no pass aligned with {fromDomain} ({string.Join(", ", passing)} not aligned)";
    }
}
