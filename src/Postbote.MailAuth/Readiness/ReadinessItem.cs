namespace Postbote.MailAuth.Readiness;

/// <summary>The verdict of one line of `postbote dns check`.</summary>
public enum ReadinessStatus { Ok, Missing, Wrong }

/// <summary>
/// One check of a domain's readiness to send: its status, what was checked (MX, A/AAAA, PTR, SPF, DKIM, DMARC),
/// what was found, and, unless OK, the record to publish as a zone file line (or what to do when no record helps).
/// </summary>
public sealed record ReadinessItem(ReadinessStatus Status, string Check, string Detail, string? Publish = null)
{
    /// <summary>OK, MISSING or WRONG.</summary>
    public string StatusWord => Status switch { ReadinessStatus.Ok => "OK", ReadinessStatus.Missing => "MISSING", _ => "WRONG" };
}
