namespace Postbote.MailAuth.Dmarc;

/// <summary>The DMARC checks of a message, one per author domain, and the one that decides what happens to it.</summary>
public sealed record DmarcVerdict(IReadOnlyList<DmarcCheck> Checks)
{
    /// <summary>The most severe check (a From: with several domains gets the strictest policy, RFC 7489 §6.6.1).</summary>
    public DmarcCheck Decisive => Checks.MaxBy(c => c.Severity)!;
}
