namespace Postbote.Smtpd.Screening;

/// <summary>
/// The DNSBL/DNSWL verdict for a client: the summed weights, the block list with the largest weight that listed it,
/// and whether an allow list (a site of negative weight) listed it (greylisting skips those clients).
/// </summary>
public sealed record DnsblResult(int Score, string? ListedBy, int Answered, int Unanswered, bool Allowlisted = false)
{
    public static DnsblResult None { get; } = new(0, null, 0, 0);
}
