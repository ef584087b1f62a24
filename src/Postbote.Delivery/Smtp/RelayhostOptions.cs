namespace Postbote.Delivery.Smtp;

/// <summary>A fixed next hop for all non-local mail (configuration section "Relayhost"); no MX lookup is done for it.</summary>
public sealed class RelayhostOptions
{
    /// <summary>Host name or address literal of the relay.</summary>
    public string Host { get; set; } = "";

    /// <summary>Port; 587 (submission) by default.</summary>
    public int Port { get; set; } = 587;

    /// <summary>Transport security; STARTTLS by default.</summary>
    public RelayTlsMode Tls { get; set; } = RelayTlsMode.StartTls;

    /// <summary>Verify the relay's certificate chain and name. Default true: credentials are sent to it.</summary>
    public bool VerifyCertificate { get; set; } = true;

    /// <summary>SASL user name; null for no AUTH.</summary>
    public string? User { get; set; }

    /// <summary>SASL password (the host reads it from Relayhost:PasswordFile).</summary>
    public string? Password { get; set; }
}
