namespace Postbote.Delivery.Smtp;

/// <summary>
/// Settings of one outbound SMTP/LMTP client session. Timeouts default to RFC 5321 §4.5.3.2 (which are also
/// Postfix's smtp_*_timeout defaults); tests shorten them.
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

    /// <summary>Longest reply line accepted; RFC 5321 §4.5.3.1.5 says 512 octets, we tolerate more.</summary>
    public int MaxReplyLineLength { get; set; } = 4096;

    /// <summary>Most lines in one multiline reply before the peer is deemed broken.</summary>
    public int MaxReplyLines { get; set; } = 200;

    /// <summary>Size of the buffer in which the message is read and dot-stuffed during DATA.</summary>
    public int DataBufferSize { get; set; } = 64 * 1024;

    /// <summary>A shallow copy, for per-destination adjustments (relayhost TLS mode, LMTP).</summary>
    public SmtpClientOptions Clone() => (SmtpClientOptions)MemberwiseClone();
}
