namespace Postbote.MailAuth.Dmarc;

/// <summary>
/// The DMARC evaluation of one author domain (RFC 7489 §6.6): the result, the From: domain, where the policy record
/// was found, the policy that applies (p=, or sp= for a subdomain) and the disposition after pct= and t=y sampling
/// (§6.6.4: a failing message not sampled gets the next policy less strict).
/// </summary>
public sealed record DmarcCheck(DmarcResult Result, string FromDomain, string Reason)
{
    /// <summary>The policy published for the From: domain (p=, or sp= when found at the organisational domain); null: no record.</summary>
    public DmarcPolicy? Policy { get; init; }
    /// <summary>What the message gets: the policy on a fail, lowered when pct= or t=y spared it; none otherwise.</summary>
    public DmarcPolicy Disposition { get; init; }
    /// <summary>The domain whose _dmarc record applied: the From: domain or its organisational domain.</summary>
    public string PolicyDomain { get; init; } = "";
    /// <summary>The failing message was spared by pct= or t=y (its disposition is one level below the policy).</summary>
    public bool Sampled { get; init; }

    public string ResultWord => Result.ToString().ToLowerInvariant();

    /// <summary>How severe the check is for the message: the disposition first, then fail over errors over none over pass.</summary>
    internal int Severity => (int)Disposition * 10 + Result switch
    {
        DmarcResult.Fail => 5,
        DmarcResult.PermError => 4,
        DmarcResult.TempError => 3,
        DmarcResult.None => 2,
        _ => 1,
    };
}
