namespace Postbote.Smtpd.RateLimiting;

/// <summary>
/// Per-client rate limits (configuration section "RateLimits"), Postfix anvil's: each counts events per client
/// (an IPv4 address or an IPv6 /64) in a window of <see cref="TimeUnit"/>; 0 turns a limit off, and all are off by
/// default as in Postfix. TrustedNetworks are exempt (as Postfix's smtpd_client_event_limit_exceptions = $mynetworks).
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Connections per client per time unit; over it: 421 4.7.0 at connect. Postfix smtpd_client_connection_rate_limit (0).</summary>
    public int ConnectionRate { get; set; }
    /// <summary>MAIL FROM commands per client per time unit; over it: 450 4.7.1. Postfix smtpd_client_message_rate_limit (0).</summary>
    public int MessageRate { get; set; }
    /// <summary>RCPT TO commands per client per time unit; over it: 450 4.7.1. Postfix smtpd_client_recipient_rate_limit (0).</summary>
    public int RecipientRate { get; set; }
    /// <summary>New TLS handshakes (STARTTLS or port 465) per client per time unit; over it: 421 4.7.0. Postfix smtpd_client_new_tls_session_rate_limit (0).</summary>
    public int NewTlsSessionRate { get; set; }
    /// <summary>The window the rates are counted in: 60 s, Postfix anvil_rate_time_unit.</summary>
    public TimeSpan TimeUnit { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// Clients tracked at once; idle ones are pruned when their window ends. 100,000 entries are a few MiB; a client
    /// that arrives while the table is full of active clients is not counted (never refused for lack of room).
    /// </summary>
    public int MaxClients { get; set; } = 100_000;

    public bool AnyEnabled => ConnectionRate > 0 || MessageRate > 0 || RecipientRate > 0 || NewTlsSessionRate > 0;

    public IEnumerable<string> Validate()
    {
        if (ConnectionRate < 0) yield return "RateLimits:ConnectionRate must not be negative (0: off)";
        if (MessageRate < 0) yield return "RateLimits:MessageRate must not be negative (0: off)";
        if (RecipientRate < 0) yield return "RateLimits:RecipientRate must not be negative (0: off)";
        if (NewTlsSessionRate < 0) yield return "RateLimits:NewTlsSessionRate must not be negative (0: off)";
        if (TimeUnit < TimeSpan.FromSeconds(1)) yield return "RateLimits:TimeUnit must be at least 1 second";
        if (MaxClients < 1) yield return "RateLimits:MaxClients must be at least 1";
    }
}
