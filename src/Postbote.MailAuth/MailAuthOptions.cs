namespace Postbote.MailAuth;

/// <summary>Inbound mail authentication settings (configuration section "MailAuth"): SPF at MAIL; DKIM, DMARC and Authentication-Results at the end of DATA.</summary>
public sealed class MailAuthOptions
{
    /// <summary>Check SPF at MAIL on Mx listeners for clients neither authenticated nor trusted. On by default.</summary>
    public bool SpfEnabled { get; set; } = true;

    /// <summary>
    /// What an SPF "fail" does: "none" (default: record it in Received-SPF and let DMARC decide, as rspamd and mox do)
    /// or "reject" (550 5.7.23 at MAIL, RFC 7372 §3.2).
    /// </summary>
    public string SpfFailAction { get; set; } = "none";

    /// <summary>
    /// What an SPF "temperror" does: "accept" (default; a DNS outage never loses mail) or "defer" (451 4.7.24, RFC 7372).
    /// </summary>
    public string SpfTempErrorAction { get; set; } = "accept";

    /// <summary>Wall-clock budget of one whole SPF evaluation: 20 s, as RFC 7208 §4.6.4 suggests; past it, temperror.</summary>
    public TimeSpan SpfTimeBudget { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Mechanisms and modifiers that cause DNS lookups, per check: 10 (RFC 7208 §4.6.4); over it, permerror.</summary>
    public int SpfDnsLookupLimit { get; set; } = 10;

    /// <summary>DNS lookups answering NXDOMAIN or no records, per check: 2 (RFC 7208 §4.6.4); over it, permerror.</summary>
    public int SpfVoidLookupLimit { get; set; } = 2;

    /// <summary>Verify DKIM signatures of mail from strangers on Mx listeners (RFC 6376 §6). On by default.</summary>
    public bool DkimVerifyEnabled { get; set; } = true;

    /// <summary>Signatures verified per message: 5, as rspamd and Stalwart limit them; the rest are reported neutral.</summary>
    public int DkimMaxSignatures { get; set; } = 5;

    /// <summary>Evaluate DMARC (RFC 7489) for mail from strangers on Mx listeners and act on the sender's policy. On by default.</summary>
    public bool DmarcEnabled { get; set; } = true;

    /// <summary>
    /// What a DMARC fail under p=reject does (after pct=): "reject" (default: 550 5.7.1 at the end of DATA, as Gmail,
    /// rspamd and mox do), "quarantine" (delivered to the Junk folder) or "none" (only the Authentication-Results header).
    /// Also applies to messages whose author cannot be identified (no From:, several, one without a domain; RFC 7489 §6.6.1).
    /// </summary>
    public string DmarcRejectAction { get; set; } = "reject";

    /// <summary>What a DMARC fail under p=quarantine does: "quarantine" (default: the recipient's Junk folder) or "none".</summary>
    public string DmarcQuarantineAction { get; set; } = "quarantine";

    /// <summary>
    /// What a DMARC temperror (policy or aligned key lookup failed) does: "accept" (default; a DNS outage never loses
    /// mail) or "defer" (451 4.7.5, the client retries).
    /// </summary>
    public string DmarcTempErrorAction { get; set; } = "accept";

    /// <summary>
    /// Wall-clock budget of the end-of-DATA checks (DKIM key and DMARC policy lookups, run in parallel): 10 s, two
    /// resolver timeouts; what is not answered by then is temperror. The client waits up to 10 min (RFC 5321 §4.5.3.2.6).
    /// </summary>
    public TimeSpan EndOfDataCheckBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The Public Suffix List for DMARC's organisational domains (Debian package publicsuffix). When the default path is
    /// missing, the last two labels are used, with a warning at start; a path set here that cannot be read stops the start.
    /// </summary>
    public string PublicSuffixList { get; set; } = DefaultPublicSuffixList;

    /// <summary>Where Debian's publicsuffix package installs the list.</summary>
    public const string DefaultPublicSuffixList = "/usr/share/publicsuffix/public_suffix_list.dat";

    /// <summary>The Maildir++ folder quarantined messages are delivered to ("Junk", as Dovecot's and Thunderbird's default).</summary>
    public string QuarantineFolder { get; set; } = "Junk";

    /// <summary>Whether any end-of-DATA check runs.</summary>
    public bool EndOfDataChecks => DkimVerifyEnabled || DmarcEnabled;

    /// <summary>The problems with these settings, each naming its key; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (SpfFailAction is not ("none" or "reject")) yield return "MailAuth:SpfFailAction must be none or reject";
        if (SpfTempErrorAction is not ("accept" or "defer")) yield return "MailAuth:SpfTempErrorAction must be accept or defer";
        if (SpfTimeBudget <= TimeSpan.Zero) yield return "MailAuth:SpfTimeBudget must be positive";
        if (SpfDnsLookupLimit < 1) yield return "MailAuth:SpfDnsLookupLimit must be at least 1";
        if (SpfVoidLookupLimit < 0) yield return "MailAuth:SpfVoidLookupLimit must not be negative";
        if (DkimMaxSignatures is < 1 or > 50) yield return "MailAuth:DkimMaxSignatures must be between 1 and 50";
        if (DmarcRejectAction is not ("reject" or "quarantine" or "none")) yield return "MailAuth:DmarcRejectAction must be reject, quarantine or none";
        if (DmarcQuarantineAction is not ("quarantine" or "none")) yield return "MailAuth:DmarcQuarantineAction must be quarantine or none";
        if (DmarcTempErrorAction is not ("accept" or "defer")) yield return "MailAuth:DmarcTempErrorAction must be accept or defer";
        if (EndOfDataCheckBudget <= TimeSpan.Zero || EndOfDataCheckBudget > TimeSpan.FromMinutes(5)) yield return "MailAuth:EndOfDataCheckBudget must be positive and at most 00:05:00";
        if (PublicSuffixList is null) yield return "MailAuth:PublicSuffixList must be a path or empty";
        if (string.IsNullOrWhiteSpace(QuarantineFolder) || QuarantineFolder.Contains('/') || QuarantineFolder.Contains("..") || QuarantineFolder.Any(char.IsControl))
            yield return "MailAuth:QuarantineFolder must be a Maildir++ folder name such as Junk";
    }
}
