namespace Postbote.MailAuth.Srs;

/// <summary>
/// Sender Rewriting Scheme settings (configuration section "Srs"; docs/configuration.md, "Srs"): how mail forwarded
/// off-site through an alias gets an envelope sender of ours, so SPF passes at the next hop (as postsrsd does for Postfix).
/// </summary>
public sealed class SrsOptions
{
    /// <summary>Rewrite the envelope sender of forwarded mail and accept bounces to SRS addresses. Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The domain of the rewritten addresses (SRS0=...@Domain). Its MX must point to this server, which accepts
    /// bounces to it at RCPT. Default: the Hostname.
    /// </summary>
    public string? Domain { get; set; }

    /// <summary>
    /// File of secrets, one per line (blank lines and lines starting with # ignored): the first signs new addresses,
    /// every one verifies (rotation: add the new secret on top, remove the old one after MaxAge). Default:
    /// DataDirectory/srs.secret, generated with mode 0600 on first use.
    /// </summary>
    public string? SecretFile { get; set; }

    /// <summary>How long a rewritten address accepts bounces: 21 days (postsrsd's default); at most 1023 days (the timestamp wraps).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(21);

    /// <summary>The problems with these settings, each naming its key; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxAge < TimeSpan.FromDays(1) || MaxAge > TimeSpan.FromDays(SrsAddress.TimestampCycleDays - 1))
            yield return $"Srs:MaxAge must be between 1.00:00:00 and {SrsAddress.TimestampCycleDays - 1}.00:00:00";
        if (Domain is { } d && !Core.Addressing.MailboxParser.IsDomain(d, allowUtf8: false))
            yield return $"Srs:Domain '{d}' is not a domain name";
    }
}
