using System.Globalization;

namespace Postbote.MailAuth.Dmarc;

/// <summary>
/// A parsed DMARC policy record (RFC 7489 §6.3, §6.4): v=DMARC1 first, then p (required), sp, pct, adkim, aspf,
/// and DMARCbis's t=y (test mode) and np; unknown tags are ignored (§6.3), reporting tags are kept only as text.
/// </summary>
public sealed record DmarcRecord
{
    public DmarcPolicy Policy { get; init; }
    /// <summary>sp=: the policy for subdomains, when the record was found at the organisational domain; null: p applies.</summary>
    public DmarcPolicy? SubdomainPolicy { get; init; }
    /// <summary>pct=: the share of failing messages the policy applies to (§6.6.4), 0 to 100.</summary>
    public int Percent { get; init; } = 100;
    /// <summary>t=y (DMARCbis): test mode, the policy is applied one level lower, as pct=0 does.</summary>
    public bool Testing { get; init; }
    public bool StrictDkim { get; init; }
    public bool StrictSpf { get; init; }
    public string? ReportUris { get; init; }

    /// <summary>Whether <paramref name="text"/> claims to be a DMARC record (§6.6.3: "v=DMARC1" first); other TXT records are ignored.</summary>
    public static bool IsDmarc(string text)
    {
        var span = text.AsSpan().TrimStart(" \t");
        if (!span.StartsWith("v")) return false;
        span = span[1..].TrimStart(" \t");
        if (!span.StartsWith("=")) return false;
        span = span[1..].TrimStart(" \t");
        if (!span.StartsWith("DMARC1")) return false;
        span = span[6..].TrimStart(" \t");
        return span.IsEmpty || span[0] == ';';
    }

    /// <summary>
    /// Parses a record that <see cref="IsDmarc"/> accepted. A missing or invalid p= makes the record unusable (null,
    /// with <paramref name="error"/>) unless rua= names a report address, in which case p=none is taken (§6.6.3).
    /// Invalid optional values are taken as their defaults, as OpenDMARC and rspamd do.
    /// </summary>
    public static DmarcRecord? Parse(string text, out string error)
    {
        error = "";
        DmarcPolicy? policy = null;
        DmarcPolicy? sub = null;
        bool subInvalid = false;
        int pct = 100;
        bool testing = false, strictDkim = false, strictSpf = false;
        string? rua = null;
        bool first = true;
        foreach (var part in text.Split(';'))
        {
            var tag = part.Trim(' ', '\t');
            if (tag.Length == 0) continue;
            int eq = tag.IndexOf('=');
            if (eq <= 0) { if (first) break; continue; }
            var name = tag[..eq].Trim(' ', '\t');
            var value = tag[(eq + 1)..].Trim(' ', '\t');
            if (first)
            {
                first = false;
                if (name != "v" || value != "DMARC1") { error = "record does not start with v=DMARC1"; return null; }
                continue;
            }
            switch (name)
            {
                case "p": policy = ParsePolicy(value); if (policy is null) error = $"invalid p={value}"; break;
                case "sp": sub = ParsePolicy(value); subInvalid = sub is null; break;
                case "pct": if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 100) pct = n; break;
                case "t": testing = value.Equals("y", StringComparison.OrdinalIgnoreCase); break;
                case "adkim": strictDkim = value.Equals("s", StringComparison.OrdinalIgnoreCase); break;
                case "aspf": strictSpf = value.Equals("s", StringComparison.OrdinalIgnoreCase); break;
                case "rua": rua = value; break;
            }
        }
        if (first) { error = "record does not start with v=DMARC1"; return null; }
        if (policy is null || subInvalid)
        {
            if (string.IsNullOrWhiteSpace(rua) || !rua.Contains(':'))
            {
                if (error.Length == 0) error = subInvalid ? "invalid sp=" : "no p= tag";
                return null;
            }
            policy ??= DmarcPolicy.None;
            if (subInvalid) (policy, sub) = (DmarcPolicy.None, null);
        }
        error = "";
        return new DmarcRecord
        {
            Policy = policy.Value, SubdomainPolicy = sub, Percent = pct, Testing = testing,
            StrictDkim = strictDkim, StrictSpf = strictSpf, ReportUris = rua,
        };
    }

    private static DmarcPolicy? ParsePolicy(string value) => value.ToLowerInvariant() switch
    {
        "none" => DmarcPolicy.None,
        "quarantine" => DmarcPolicy.Quarantine,
        "reject" => DmarcPolicy.Reject,
        _ => null,
    };

    /// <summary>The policy word as written in records and Authentication-Results ("none", "quarantine", "reject").</summary>
    public static string Word(DmarcPolicy policy) => policy switch
    {
        DmarcPolicy.Quarantine => "quarantine",
        DmarcPolicy.Reject => "reject",
        _ => "none",
    };
}
