namespace Postbote.Delivery.Smtp;

/// <summary>Settings of the LMTP delivery agent (RFC 2033), e.g. towards Dovecot's LMTP service.</summary>
public sealed class LmtpDeliveryOptions
{
    /// <summary>
    /// Where the LMTP server listens: "unix:/run/dovecot/lmtp", an absolute socket path, "host:port" or "[v6]:port".
    /// </summary>
    public string Endpoint { get; set; } = "unix:/run/dovecot/lmtp";

    /// <summary>Host name used in logs and for TLS (LMTP over TCP with STARTTLS); default "localhost".</summary>
    public string HostName { get; set; } = "localhost";

    /// <summary>Client session settings; <see cref="SmtpClientOptions.Lmtp"/> is forced on, TLS defaults to none.</summary>
    public SmtpClientOptions Client { get; set; } = new() { Lmtp = true, Tls = TlsPolicy.None };
}
