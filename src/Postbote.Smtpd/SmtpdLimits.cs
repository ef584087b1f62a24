namespace Postbote.Smtpd;

/// <summary>
/// Every limit and timeout a client can run into, in one options class, each with the default a mail
/// administrator would pick and where it comes from. Checked by <see cref="Validate"/> at start.
/// </summary>
public sealed class SmtpdLimits
{
    /// <summary>Largest message accepted, in octets; advertised as SIZE (RFC 1870). 50 MiB, as the walk-through's server.</summary>
    public long MessageSizeBytes { get; set; } = 52_428_800;

    /// <summary>Recipients per transaction; further RCPTs get 452 4.5.3 (RFC 5321 §4.5.3.1.8 requires at least 100; Postfix smtpd_recipient_limit = 1000).</summary>
    public int RecipientsPerMessage { get; set; } = 1000;

    /// <summary>Concurrent connections over all listeners; more are greeted with 421 4.7.0 and closed.</summary>
    public int ConnectionsTotal { get; set; } = 20_000;

    /// <summary>Concurrent connections from one client address (Postfix smtpd_client_connection_count_limit = 50).</summary>
    public int ConnectionsPerClient { get; set; } = 50;

    /// <summary>Longest command line including CRLF (RFC 5321 §4.5.3.1.4: 512 octets).</summary>
    public int CommandLineLength { get; set; } = 512;

    /// <summary>Longest AUTH command or SASL response line (RFC 4954 §4: 12,288 octets).</summary>
    public int AuthLineLength { get; set; } = 12_288;

    /// <summary>Wait for the next command (RFC 5321 §4.5.3.2.7: the server timeout is at least 5 minutes).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Wait for the next block of message data (RFC 5321 §4.5.3.2.7).</summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest a TLS handshake may take (Postfix smtpd_starttls_timeout = 300 s; 60 s is plenty on today's links).</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Error replies in one session before 421 4.7.0 and disconnect (Postfix smtpd_hard_error_limit = 20). Every 4xx
    /// and 5xx reply counts (an unknown recipient too), except greylisting's 450s.
    /// </summary>
    public int ErrorsPerSession { get; set; } = 20;

    /// <summary>Errors in one session after which every reply waits <see cref="ErrorSleepTime"/> (tarpitting). Postfix smtpd_soft_error_limit = 10.</summary>
    public int SoftErrorLimit { get; set; } = 10;

    /// <summary>The wait before each reply once <see cref="SoftErrorLimit"/> errors were made; 0 turns tarpitting off. Postfix smtpd_error_sleep_time = 1 s.</summary>
    public TimeSpan ErrorSleepTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A message with more Received: fields than this is a mail loop: 554 5.4.6 (RFC 5321 §6.3).</summary>
    public int MaxReceivedHeaders { get; set; } = 100;

    /// <summary>
    /// Local submissions (submit.sock) in progress at once; one more waits for a slot at most <see cref="DataTimeout"/>,
    /// then gets HTTP 503 (sendmail exits 75, EX_TEMPFAIL). Each holds a spool file open; Postfix's default_process_limit is 100.
    /// </summary>
    public int LocalSubmissionsConcurrent { get; set; } = 20;

    /// <summary>How long a transaction in progress may go on after SIGTERM before the connection is closed.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Text lines longer than 998 octets (RFC 5322 §2.1.1 / RFC 5321 §4.5.3.1.6). Accept: stored byte-exact, as
    /// Postfix does; Reject: 550 5.6.0.
    /// </summary>
    public LongLinePolicy LongLines { get; set; } = LongLinePolicy.Accept;

    /// <summary>Failed AUTH attempts from one address before it is blocked for <see cref="AuthBlockDuration"/>.</summary>
    public int AuthFailuresBeforeBlock { get; set; } = 10;

    /// <summary>How long an address that failed AUTH too often is refused (421 4.7.0).</summary>
    public TimeSpan AuthBlockDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Delay added per recent AUTH failure, growing linearly, capped at 5 s (a brake on password guessing).</summary>
    public TimeSpan AuthFailureDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Replies waiting unflushed, in octets, before the session stops reading pipelined commands and flushes
    /// (waiting at most <see cref="CommandTimeout"/> for the client to read them): back-pressure against a client
    /// that pipelines and never reads (Kestrel's Limits.MaxResponseBufferSize, 64 KiB).
    /// </summary>
    public int PendingReplyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Longest a whole connection may last, whatever it does; then 421 4.4.2. Postfix has none (each read has
    /// smtpd_timeout); one hour is far beyond any honest session, even a 50 MiB message at 500 octets/s would not
    /// need it. Zero turns it off.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Least average rate, in octets per second, of the message data of a DATA or of one BDAT chunk once
    /// <see cref="MinDataRateGracePeriod"/> has passed; a slower client (slowloris) gets 421 4.4.2 and is dropped
    /// (Postfix smtpd_min_data_rate = 500; Kestrel MinRequestBodyDataRate). Zero turns it off.
    /// </summary>
    public int MinDataRate { get; set; } = 500;

    /// <summary>How long a DATA or BDAT chunk may go below <see cref="MinDataRate"/> at first (Kestrel allows 5 s; mail links are slower to start).</summary>
    public TimeSpan MinDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Free space on the spool's file system below which MAIL gets 452 4.3.1 (Postfix queue_minfree, which must be
    /// at least 1.5 × message_size_limit); a MAIL with SIZE= needs that much more. Unset: 1.5 × <see cref="MessageSizeBytes"/>.
    /// Zero turns the check off.
    /// </summary>
    public long? SpoolMinimumFreeBytes { get; set; }

    /// <summary>The free space MAIL requires: <see cref="SpoolMinimumFreeBytes"/>, or 1.5 × <see cref="MessageSizeBytes"/>.</summary>
    public long EffectiveSpoolMinimumFreeBytes => SpoolMinimumFreeBytes ?? MessageSizeBytes + MessageSizeBytes / 2;

    /// <summary>
    /// BDAT chunks in one message (RFC 3030 sets no limit); more get 552 5.3.4 and end the transaction, so that a
    /// "BDAT 0" loop ends. 10,000 chunks of the 50 MiB default is 5 KiB per chunk, far smaller than any client sends.
    /// </summary>
    public int BdatChunksPerMessage { get; set; } = 10_000;

    /// <summary>
    /// Also accept ETRN (RFC 1985) from authenticated users who are not in TrustedNetworks (Postfix
    /// smtpd_etrn_restrictions is empty, i.e. anyone; we allow only TrustedNetworks by default). They get a plain
    /// "250 Queuing started", never the number of messages waiting.
    /// </summary>
    public bool EtrnFromAuthenticatedUsers { get; set; }

    /// <summary>Least time between two ETRNs from one client address that start deliveries for the same domain; sooner gets 458 4.7.0 (every ETRN retries a whole domain at once).</summary>
    public TimeSpan EtrnMinimumInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Failed AUTH attempts from one client network (IPv4 address, IPv6 /64) over all identities before the network
    /// is blocked for <see cref="AuthBlockDuration"/>: catches one guess at each of many accounts. Three identities'
    /// worth of <see cref="AuthFailuresBeforeBlock"/> (fail2ban's and Dovecot's auth penalty work per address too).
    /// </summary>
    public int AuthFailuresPerNetworkBeforeBlock { get; set; } = 30;

    /// <summary>
    /// Most (network, identity) and network failure counts held in memory, each table; past it the oldest is dropped
    /// (as Postfix's anvil bounds its table). 10,000 is a busy submission server's day of mistyped passwords.
    /// </summary>
    public int AuthThrottleMaxEntries { get; set; } = 10_000;

    /// <summary>Returns the problems with these settings, each naming its key under "Limits".</summary>
    public IEnumerable<string> Validate()
    {
        if (MessageSizeBytes < 1024) yield return "Limits:MessageSizeBytes must be at least 1024";
        if (RecipientsPerMessage < 1) yield return "Limits:RecipientsPerMessage must be at least 1 (RFC 5321 asks for 100)";
        if (ConnectionsTotal < 1) yield return "Limits:ConnectionsTotal must be at least 1";
        if (ConnectionsPerClient < 1) yield return "Limits:ConnectionsPerClient must be at least 1";
        if (CommandLineLength < 512) yield return "Limits:CommandLineLength must be at least 512 (RFC 5321 §4.5.3.1.4)";
        if (AuthLineLength < CommandLineLength) yield return "Limits:AuthLineLength must be at least Limits:CommandLineLength";
        if (AuthFailuresPerNetworkBeforeBlock < 1) yield return "Limits:AuthFailuresPerNetworkBeforeBlock must be at least 1";
        if (AuthThrottleMaxEntries < 100) yield return "Limits:AuthThrottleMaxEntries must be at least 100";
        if (CommandTimeout <= TimeSpan.Zero) yield return "Limits:CommandTimeout must be positive";
        if (DataTimeout <= TimeSpan.Zero) yield return "Limits:DataTimeout must be positive";
        if (TlsHandshakeTimeout <= TimeSpan.Zero) yield return "Limits:TlsHandshakeTimeout must be positive";
        if (ErrorsPerSession < 1) yield return "Limits:ErrorsPerSession must be at least 1";
        if (SoftErrorLimit < 1) yield return "Limits:SoftErrorLimit must be at least 1";
        if (ErrorSleepTime < TimeSpan.Zero || ErrorSleepTime > TimeSpan.FromMinutes(1)) yield return "Limits:ErrorSleepTime must be between 0 and 1 minute";
        if (MaxReceivedHeaders < 1) yield return "Limits:MaxReceivedHeaders must be at least 1";
        if (LocalSubmissionsConcurrent < 1) yield return "Limits:LocalSubmissionsConcurrent must be at least 1";
        if (ShutdownGracePeriod < TimeSpan.Zero) yield return "Limits:ShutdownGracePeriod must not be negative";
        if (AuthFailuresBeforeBlock < 1) yield return "Limits:AuthFailuresBeforeBlock must be at least 1";
        if (PendingReplyBytes < 1024) yield return "Limits:PendingReplyBytes must be at least 1024";
        if (SessionTimeout < TimeSpan.Zero) yield return "Limits:SessionTimeout must not be negative (0 turns it off)";
        if (MinDataRate < 0) yield return "Limits:MinDataRate must not be negative (0 turns it off)";
        if (MinDataRateGracePeriod < TimeSpan.Zero) yield return "Limits:MinDataRateGracePeriod must not be negative";
        if (SpoolMinimumFreeBytes < 0) yield return "Limits:SpoolMinimumFreeBytes must not be negative (0 turns the check off)";
        if (BdatChunksPerMessage < 1) yield return "Limits:BdatChunksPerMessage must be at least 1";
        if (EtrnMinimumInterval < TimeSpan.Zero) yield return "Limits:EtrnMinimumInterval must not be negative";
    }
}

/// <summary>What to do with text lines over 998 octets.</summary>
public enum LongLinePolicy
{
    Accept,
    Reject,
}
