namespace Postbote.Delivery.Smtp;

/// <summary>Settings of the outbound SMTP delivery agent.</summary>
public sealed class SmtpDeliveryOptions
{
    /// <summary>Port of MX hosts; 25 (RFC 5321 §4.5.4). Tests point it at a loopback peer.</summary>
    public int Port { get; set; } = 25;

    /// <summary>Client session settings (HELO name, TLS policy for MX, timeouts).</summary>
    public SmtpClientOptions Client { get; set; } = new();

    /// <summary>When set, every message goes to this host instead of the recipients' MX.</summary>
    public RelayhostOptions? Relayhost { get; set; }

    /// <summary>TLS level per recipient domain for MX delivery (Delivery:Tls); opportunistic everywhere by default. Not used for the relayhost.</summary>
    public Tls.TlsPolicyTable TlsPolicies { get; set; } = Tls.TlsPolicyTable.Opportunistic;

    /// <summary>Learned TLS levels (Delivery:Tls:LearnLevels), applied to destinations without their own policy; null: off.</summary>
    public Tls.LearnedTlsLevels? LearnedTlsLevels { get; set; }

    /// <summary>Most addresses tried per delivery, over all MX hosts; Postfix smtp_mx_address_limit is 5.</summary>
    public int MaxAddressesPerDelivery { get; set; } = 5;
}
