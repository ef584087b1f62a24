namespace Postbote.Delivery.Smtp;

/// <summary>
/// Settings of one outbound SMTP/LMTP client session. Timeouts default to RFC 5321 §4.5.3.2 (which are also
/// Postfix's smtp_*_timeout defaults); each bounds a whole reply, not one read, so a peer trickling bytes cannot
/// stretch it (Postfix's smtp_per_record_deadline = yes). Configurable as Delivery:Client:Key; tests shorten them.
/// </summary>
public sealed class SmtpClientOptions
{
    /// <summary>Name sent in EHLO/HELO/LHLO; should be this server's Hostname.</summary>
    public string HeloName { get; set; } = Environment.MachineName;

    /// <summary>Speak LMTP (RFC 2033): LHLO, no HELO fallback, one reply per accepted recipient after the final dot.</summary>
    public bool Lmtp { get; set; }

    /// <summary>STARTTLS policy; ignored when <see cref="ImplicitTls"/> is set. Default opportunistic (the MX case).</summary>
    public TlsPolicy Tls { get; set; } = TlsPolicy.Opportunistic;

    /// <summary>TLS from the first byte (submissions on port 465, RFC 8314).</summary>
    public bool ImplicitTls { get; set; }

    /// <summary>Verify the peer certificate (chain and name) for <see cref="TlsPolicy.Required"/> and implicit TLS. Opportunistic TLS never verifies.</summary>
    public bool VerifyCertificate { get; set; }

    /// <summary>Name expected in the peer certificate and sent as SNI; defaults to the host name of the endpoint.</summary>
    public string? TlsTargetHost { get; set; }

    /// <summary>
    /// Names one of which a verified certificate must carry (resolved patterns, <see cref="Tls.TlsMatchNames.Resolve"/>;
    /// ".example.com" for any subdomain); null: <see cref="TlsTargetHost"/> or the endpoint's host name.
    /// </summary>
    public IReadOnlyList<string>? CertificateMatch { get; set; }

    /// <summary>Trust anchors for verification instead of the system store (Delivery:Tls:CAFile); null: the system store.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? TrustAnchors { get; set; }

    /// <summary>
    /// What a cached connection must have been opened under to serve a delivery with these options (the TLS level
    /// and its source): two destinations with different policies on one MX host never share a connection.
    /// </summary>
    public string TlsPolicyKey { get; set; } = "";

    /// <summary>TCP connect; Postfix smtp_connect_timeout is 30 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Initial 220 greeting: RFC 5321 §4.5.3.2.1, 5 minutes.</summary>
    public TimeSpan GreetingTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>EHLO/HELO/LHLO reply; RFC 5321 gives none, Postfix smtp_helo_timeout is 5 minutes.</summary>
    public TimeSpan HeloTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>STARTTLS reply and TLS handshake; Postfix smtp_starttls_timeout is 5 minutes.</summary>
    public TimeSpan StartTlsTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each AUTH step; Postfix uses the helo timeout, 5 minutes.</summary>
    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>MAIL reply: RFC 5321 §4.5.3.2.2, 5 minutes.</summary>
    public TimeSpan MailTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each RCPT reply: RFC 5321 §4.5.3.2.3, 5 minutes.</summary>
    public TimeSpan RcptTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>DATA's 354 reply: RFC 5321 §4.5.3.2.4, 2 minutes.</summary>
    public TimeSpan DataInitTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Each block written during DATA: RFC 5321 §4.5.3.2.5, 3 minutes.</summary>
    public TimeSpan DataBlockTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Reply to the final dot: RFC 5321 §4.5.3.2.6, 10 minutes (for LMTP, per recipient reply).</summary>
    public TimeSpan DataEndTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>RSET between transactions on a reused connection; Postfix smtp_rset_timeout is 20 s.</summary>
    public TimeSpan RsetTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>QUIT when closing; short, since nothing depends on the answer (Postfix waits up to 300 s, we do not need to).</summary>
    public TimeSpan QuitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest one delivery may take on one connection, from taking or opening it to the last reply (connect,
    /// greeting, EHLO, TLS, AUTH, the transaction): a peer that answers just within every per-reply timeout (a
    /// tarpit) or trickles its replies cannot hold a delivery slot for longer. Postfix has no single limit (its
    /// smtp_per_request_deadline with smtp_min_data_rate = 500 bytes/s bounds the DATA phase); 30 minutes lets a
    /// 50 MB message through at 30 KB/s. Timed out, the recipients are deferred (4.4.2), a failed session for the
    /// destination's feedback. Zero disables it.
    /// </summary>
    public TimeSpan SessionTimeLimit { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Longest reply line accepted; RFC 5321 §4.5.3.1.5 says 512 octets, we tolerate more.</summary>
    public int MaxReplyLineLength { get; set; } = 4096;

    /// <summary>Most lines in one multiline reply before the peer is deemed broken.</summary>
    public int MaxReplyLines { get; set; } = 200;

    /// <summary>Size of the buffer in which the message is read and dot-stuffed during DATA.</summary>
    public int DataBufferSize { get; set; } = 64 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first wrong setting (as "Delivery:Client:Key").</summary>
    public void Validate()
    {
        static void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero) throw new ArgumentException($"Delivery:Client:{key} must be positive", key);
        }
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(GreetingTimeout, nameof(GreetingTimeout));
        Positive(HeloTimeout, nameof(HeloTimeout));
        Positive(StartTlsTimeout, nameof(StartTlsTimeout));
        Positive(AuthTimeout, nameof(AuthTimeout));
        Positive(MailTimeout, nameof(MailTimeout));
        Positive(RcptTimeout, nameof(RcptTimeout));
        Positive(DataInitTimeout, nameof(DataInitTimeout));
        Positive(DataBlockTimeout, nameof(DataBlockTimeout));
        Positive(DataEndTimeout, nameof(DataEndTimeout));
        Positive(RsetTimeout, nameof(RsetTimeout));
        Positive(QuitTimeout, nameof(QuitTimeout));
        if (SessionTimeLimit < TimeSpan.Zero) throw new ArgumentException("Delivery:Client:SessionTimeLimit must not be negative (0 disables it)", nameof(SessionTimeLimit));
        if (MaxReplyLineLength < 512) throw new ArgumentException("Delivery:Client:MaxReplyLineLength must be at least 512 (RFC 5321 4.5.3.1.5)", nameof(MaxReplyLineLength));
        if (MaxReplyLines < 1) throw new ArgumentException("Delivery:Client:MaxReplyLines must be positive", nameof(MaxReplyLines));
        if (DataBufferSize < 512) throw new ArgumentException("Delivery:Client:DataBufferSize must be at least 512", nameof(DataBufferSize));
    }

    /// <summary>A shallow copy, for per-destination adjustments (relayhost TLS mode, LMTP).</summary>
    public SmtpClientOptions Clone() => (SmtpClientOptions)MemberwiseClone();
}
