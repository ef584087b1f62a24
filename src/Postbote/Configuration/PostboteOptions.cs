using Postbote.Dns;
using Postbote.Smtpd;

namespace Postbote.Configuration;

/// <summary>
/// The configuration file's shape (DESIGN.md "The operator's contract"; documented key by key in
/// docs/configuration.md). Every key can be overridden by POSTBOTE_Section__Key or --Section:Key=value.
/// Collections are null when not given so that the embedded defaults can be told apart from an empty list.
/// </summary>
public sealed class PostboteOptions
{
    /// <summary>Our name in the greeting, EHLO and Received:. Default: the system's hostname.</summary>
    public string? Hostname { get; set; }
    /// <summary>This node's name when several share a directory (README, "Several nodes"); the Hostname by default.</summary>
    public string? NodeName { get; set; }
    /// <summary>Spool, directory database, mailboxes and generated certificate. Default: ./data.</summary>
    public string DataDirectory { get; set; } = "data";
    /// <summary>Local domains. Default: localhost and the hostname.</summary>
    public string[]? Domains { get; set; }
    public ListenerOptions[]? Listeners { get; set; }
    public TlsOptions Tls { get; set; } = new();
    public DnsOptions Dns { get; set; } = new();
    public RelayhostOptions? Relayhost { get; set; }
    public SmtpdLimits Limits { get; set; } = new();
    /// <summary>Per-client rates (Postfix anvil); all 0 (off) by default.</summary>
    public Postbote.Smtpd.RateLimiting.RateLimitOptions RateLimits { get; set; } = new();
    /// <summary>postscreen-style screening of MX clients (greet delay, pregreet, DNSBL/DNSWL, pass cache); off by default.</summary>
    public Postbote.Smtpd.Screening.ScreeningOptions Screening { get; set; } = new();
    /// <summary>Content filters speaking the milter protocol, run in order (Postfix smtpd_milters); none by default.</summary>
    public Postbote.Smtpd.Filters.MilterOptions[]? Milters { get; set; }
    /// <summary>rspamd over HTTP (/checkv2) at the end of data; off unless Rspamd:Url is given.</summary>
    public Postbote.Smtpd.Filters.RspamdOptions Rspamd { get; set; } = new();
    /// <summary>Greylisting at RCPT on MX listeners (postgrey's triplets, delay, auto-whitelist); off by default.</summary>
    public Postbote.Smtpd.Greylisting.GreylistOptions Greylisting { get; set; } = new();
    /// <summary>Optional HELO, sender and client restrictions on MX clients (Postfix reject_* of the same names); all off by default.</summary>
    public Postbote.Smtpd.Restrictions.RestrictionOptions Restrictions { get; set; } = new();
    /// <summary>CIDR ranges that may relay without AUTH (Postfix mynetworks). Empty by default.</summary>
    public string[]? TrustedNetworks { get; set; }
    public AuthOptions Auth { get; set; } = new();
    /// <summary>Log level: Information (the mail log) by default; Debug adds the SMTP protocol transcript (AUTH data redacted).</summary>
    public string LogLevel { get; set; } = "Information";
    /// <summary>Scheduling, retries, expiry and bounces (Postfix's qmgr and bounce settings).</summary>
    public Postbote.Queue.QueueManagerOptions Queue { get; set; } = new();
    public LocalDeliveryOptions LocalDelivery { get; set; } = new();
    public RemoteDeliveryOptions Delivery { get; set; } = new();
    /// <summary>Inbound SPF (and later DKIM/DMARC) checks on Mx listeners.</summary>
    public Postbote.MailAuth.MailAuthOptions MailAuth { get; set; } = new();
    /// <summary>DKIM signing of outgoing mail (keys: postbote dkim keygen).</summary>
    public Postbote.MailAuth.Dkim.DkimOptions Dkim { get; set; } = new();
    /// <summary>Sender Rewriting Scheme for mail forwarded off-site through aliases; off by default.</summary>
    public Postbote.MailAuth.Srs.SrsOptions Srs { get; set; } = new();
    /// <summary>ARC sealing of mail forwarded off-site through aliases (RFC 8617); on, for domains with an RSA DKIM key.</summary>
    public Postbote.MailAuth.Arc.ArcOptions Arc { get; set; } = new();
    /// <summary>The HTTP listener: /metrics (docs/metrics.md).</summary>
    public HttpOptions Http { get; set; } = new();
    /// <summary>Where the directory lives: SQLite (default) or a shared PostgreSQL.</summary>
    public DirectoryOptions Directory { get; set; } = new();
}

public sealed class LocalDeliveryOptions
{
    /// <summary>Where each user's Maildir is; tokens {DataDirectory}, {domain}, {localpart}, {user}.</summary>
    public string MaildirPath { get; set; } = "{DataDirectory}/mail/{domain}/{localpart}/Maildir";
    /// <summary>LMTP server for the domains in <see cref="LmtpDomains"/> ("127.0.0.1:24" or "unix:/run/dovecot/lmtp").</summary>
    public string? Lmtp { get; set; }
    /// <summary>Local domains delivered over LMTP instead of Maildir; "*" for all.</summary>
    public string[]? LmtpDomains { get; set; }
    /// <summary>Default mailbox quota in bytes (0: none); a user's own quota wins.</summary>
    public long QuotaBytes { get; set; }
    /// <summary>Over quota: bounce with 5.2.2 (true) or defer with 4.2.2 and retry (false, the default).</summary>
    public bool QuotaExceededIsPermanent { get; set; }
    /// <summary>
    /// Refuse RCPT with 452 4.2.2 while a Maildir recipient's mailbox is full (or SIZE= would overfill it), so mail
    /// that would only bounce later, perhaps to a forged sender, is never accepted (as Dovecot's lmtp_rcpt_check_quota).
    /// </summary>
    public bool QuotaCheckAtRcpt { get; set; } = true;
    /// <summary>How long a mailbox's measured usage is reused by the RCPT check (a few seconds: one measure per burst).</summary>
    public TimeSpan QuotaUsageCacheLifetime { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>File a copy of mail an authenticated local user submits into their Sent folder.</summary>
    public bool SentCopy { get; set; } = true;
    /// <summary>The Maildir++ folder of the Sent copy.</summary>
    public string SentFolder { get; set; } = ".Sent";
}

public sealed class RemoteDeliveryOptions
{
    /// <summary>Port of remote MX hosts (25; tests point it elsewhere).</summary>
    public int Port { get; set; } = 25;
    /// <summary>TLS to MX hosts: the default level (may) and per-destination policies (Delivery:Tls:Level, Delivery:Tls:Policies).</summary>
    public Postbote.Delivery.Tls.DeliveryTlsOptions Tls { get; set; } = new();
    /// <summary>Timeouts and limits of the outbound SMTP and LMTP client (Delivery:Client:GreetingTimeout, SessionTimeLimit, ...);
    /// its HeloName and TLS policy come from Hostname and Delivery:Tls.</summary>
    public Postbote.Delivery.Smtp.SmtpClientOptions Client { get; set; } = new();
}

public sealed class ListenerOptions
{
    public string? Name { get; set; }
    /// <summary>"0.0.0.0:25", "[::]:587", "127.0.0.1:2525".</summary>
    public string? Endpoint { get; set; }
    public ListenerRole Role { get; set; } = ListenerRole.Mx;
    /// <summary>TLS from the first byte (port 465, RFC 8314).</summary>
    public bool ImplicitTls { get; set; }
    /// <summary>Offer AUTH on an MX listener too (submission listeners always offer it).</summary>
    public bool? OfferAuth { get; set; }
    /// <summary>Connections start with a PROXY protocol v1/v2 header (HAProxy; Postfix smtpd_upstream_proxy_protocol=haproxy). Off by default.</summary>
    public bool ProxyProtocol { get; set; }
    /// <summary>With ProxyProtocol: the proxies' addresses as CIDR ranges; required, any other peer is refused.</summary>
    public string[]? ProxyProtocolFrom { get; set; }
    /// <summary>Time for the PROXY header to arrive: 5 s (Postfix smtpd_upstream_proxy_timeout).</summary>
    public TimeSpan ProxyProtocolTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class TlsOptions
{
    /// <summary>PEM certificate chain (e.g. Let's Encrypt fullchain.pem). None: a self-signed one is generated.</summary>
    public string? CertificateFile { get; set; }
    /// <summary>PEM private key (privkey.pem).</summary>
    public string? KeyFile { get; set; }
}

public sealed class DnsOptions
{
    /// <summary>DNS servers as "ip" or "ip:port". Default: those of /etc/resolv.conf.</summary>
    public string[]? Servers { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Answers kept in the shared cache (delivery and the accept side); 0 turns it off.</summary>
    public int CacheMaxEntries { get; set; } = 10_000;
    /// <summary>Cap on a positive answer's TTL: 1 day (unbound cache-max-ttl).</summary>
    public TimeSpan CacheMaxTtl { get; set; } = TimeSpan.FromDays(1);
    /// <summary>Cap on NXDOMAIN/NODATA caching (RFC 2308 §5; unbound cache-max-negative-ttl): 1 hour.</summary>
    public TimeSpan NegativeCacheMaxTtl { get; set; } = TimeSpan.FromHours(1);
}

public sealed class RelayhostOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary>StartTls, Implicit or None (only for a trusted next hop on a private network).</summary>
    public string Tls { get; set; } = "StartTls";
    public string? User { get; set; }
    public string? PasswordFile { get; set; }
    /// <summary>Verify the smarthost's certificate (on by default).</summary>
    public bool VerifyCertificate { get; set; } = true;
}

public sealed class AuthOptions
{
    /// <summary>Offer AUTH on connections without TLS. Off: RFC 8314 and every sane admin.</summary>
    public bool AllowCleartext { get; set; }
    /// <summary>Also send "AUTH=PLAIN LOGIN" for pre-RFC 2554 Outlook clients.</summary>
    public bool LegacyAuthLine { get; set; }
    /// <summary>Name the authenticated user in Received: (off: it is private).</summary>
    public bool UserInReceived { get; set; }
    /// <summary>Require the header From: to be owned by the authenticated user.</summary>
    public bool CheckFromHeader { get; set; } = true;
    /// <summary>SASL mechanisms offered, in order. Default: PLAIN LOGIN SCRAM-SHA-256 SCRAM-SHA-1 (add CRAM-MD5 to offer it).</summary>
    public string[]? Mechanisms { get; set; }
}
