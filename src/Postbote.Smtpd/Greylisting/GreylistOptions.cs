namespace Postbote.Smtpd.Greylisting;

/// <summary>
/// Greylisting on MX listeners (configuration section "Greylisting"), as postgrey does it for Postfix: the first
/// RCPT of a (client network, sender, recipient) triplet is deferred 450 4.7.1, a retry after <see cref="Delay"/> and
/// within <see cref="RetryWindow"/> passes, and a client network that passed <see cref="AutoWhitelistAfter"/> times is
/// not greylisted any more. Off by default (Postfix has no greylisting of its own).
/// </summary>
public sealed class GreylistOptions
{
    /// <summary>Greylist unauthenticated, untrusted clients of MX listeners. Off by default.</summary>
    public bool Enabled { get; set; }
    /// <summary>How long a new triplet is deferred: 5 minutes, postgrey --delay=300.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>How long after the first attempt a retry still counts; later it starts over. 2 days, postgrey --retry-window=2.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromDays(2);
    /// <summary>
    /// Successful retries (counted at most once an hour, as postgrey does) after which a client network is whitelisted;
    /// 0 turns auto-whitelisting off. 5, postgrey --auto-whitelist-clients=5.
    /// </summary>
    public int AutoWhitelistAfter { get; set; } = 5;
    /// <summary>How long a passed triplet, a whitelisted network or a known SPF domain is kept after it was last seen: 35 days, postgrey --max-age=35.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(35);
    /// <summary>Most triplets kept (each table of networks and domains has the same bound); beyond it the least recently seen go first.</summary>
    public int MaxEntries { get; set; } = 200_000;
    /// <summary>Skip greylisting for a sender whose SPF result is pass when its domain already passed greylisting with an SPF pass (large senders retry from other addresses).</summary>
    public bool SkipSpfPassFromKnownDomains { get; set; } = true;
    /// <summary>The state's SQLite file, relative to the data directory.</summary>
    public string DatabaseFile { get; set; } = "greylist.db";

    public IEnumerable<string> Validate()
    {
        if (Delay < TimeSpan.FromSeconds(1) || Delay > TimeSpan.FromHours(24)) yield return "Greylisting:Delay must be between 1 second and 24 hours";
        if (RetryWindow <= Delay) yield return "Greylisting:RetryWindow must be longer than Greylisting:Delay";
        if (AutoWhitelistAfter < 0) yield return "Greylisting:AutoWhitelistAfter must not be negative (0: off)";
        if (MaxAge < RetryWindow) yield return "Greylisting:MaxAge must be at least Greylisting:RetryWindow";
        if (MaxEntries < 100) yield return "Greylisting:MaxEntries must be at least 100";
        if (string.IsNullOrWhiteSpace(DatabaseFile)) yield return "Greylisting:DatabaseFile must not be empty";
    }
}
