namespace Postbote.Smtpd.Screening;

/// <summary>The DNSBL/DNSWL verdict for a client: the summed weights, and the block list with the largest weight that listed it.</summary>
public sealed record DnsblResult(int Score, string? ListedBy, int Answered, int Unanswered)
{
    public static DnsblResult None { get; } = new(0, null, 0, 0);
}
