namespace Postbote.MailAuth;

/// <summary>Inbound mail authentication settings (configuration section "MailAuth"); SPF for now.</summary>
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

    /// <summary>The problems with these settings, each naming its key; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (SpfFailAction is not ("none" or "reject")) yield return "MailAuth:SpfFailAction must be none or reject";
        if (SpfTempErrorAction is not ("accept" or "defer")) yield return "MailAuth:SpfTempErrorAction must be accept or defer";
        if (SpfTimeBudget <= TimeSpan.Zero) yield return "MailAuth:SpfTimeBudget must be positive";
        if (SpfDnsLookupLimit < 1) yield return "MailAuth:SpfDnsLookupLimit must be at least 1";
        if (SpfVoidLookupLimit < 0) yield return "MailAuth:SpfVoidLookupLimit must not be negative";
    }
}
