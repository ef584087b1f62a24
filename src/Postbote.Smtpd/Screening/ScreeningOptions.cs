namespace Postbote.Smtpd.Screening;

/// <summary>
/// Screening before the SMTP session on MX listeners (configuration section "Screening"), Postfix postscreen's
/// tests: the pregreet test during a greet delay, DNSBL/DNSWL scores, and a cache of clients that passed.
/// Off by default, as Postfix ships postscreen off.
/// </summary>
public sealed class ScreeningOptions
{
    /// <summary>Screen clients of MX listeners. Off by default (Postfix: postscreen not in master.cf).</summary>
    public bool Enabled { get; set; }
    /// <summary>How long a client not known good waits for the rest of the greeting; speaking first is PREGREET. 6 s, Postfix postscreen_greet_wait.</summary>
    public TimeSpan GreetDelay { get; set; } = TimeSpan.FromSeconds(6);
    /// <summary>DNS block and allow lists in postscreen_dnsbl_sites syntax: "zen.spamhaus.org=127.0.0.[2..11]*3", "list.dnswl.org=127.0.[0..255].[1..3]*-5". Empty by default.</summary>
    public string[]? DnsblSites { get; set; }
    /// <summary>A client whose summed weights reach this is refused 554 5.7.1. 1, Postfix postscreen_dnsbl_threshold.</summary>
    public int DnsblThreshold { get; set; } = 1;
    /// <summary>Longest wait for the DNSBL answers, counted from connect; unanswered lists count as not listed. 10 s, Postfix postscreen_dnsbl_timeout.</summary>
    public TimeSpan DnsblTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a client that passed is remembered (no greet delay, no DNSBL lookups). 1 day, Postfix postscreen_greet_ttl.</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromDays(1);
    /// <summary>Largest number of remembered clients; the oldest go first. Postfix relies on postscreen_cache_cleanup_interval (12 h); a bound keeps the file small.</summary>
    public int CacheMaxEntries { get; set; } = 100_000;
    /// <summary>The cache's SQLite file, relative to the data directory.</summary>
    public string CacheFile { get; set; } = "screening.db";

    public IEnumerable<string> Validate()
    {
        if (GreetDelay < TimeSpan.Zero || GreetDelay > TimeSpan.FromMinutes(5)) yield return "Screening:GreetDelay must be between 0 and 5 minutes";
        if (DnsblThreshold < 1) yield return "Screening:DnsblThreshold must be at least 1";
        if (DnsblTimeout <= TimeSpan.Zero) yield return "Screening:DnsblTimeout must be positive";
        if (CacheTtl < TimeSpan.Zero) yield return "Screening:CacheTtl must not be negative (0: no cache)";
        if (CacheMaxEntries < 1) yield return "Screening:CacheMaxEntries must be at least 1";
        if (string.IsNullOrWhiteSpace(CacheFile)) yield return "Screening:CacheFile must not be empty";
        var sites = DnsblSites ?? Array.Empty<string>();
        for (int i = 0; i < sites.Length; i++)
            if (DnsblSiteParser.TryParse(sites[i], out _, out var error) is false)
                yield return $"Screening:DnsblSites:{i}: '{sites[i]}' {error}";
    }
}
