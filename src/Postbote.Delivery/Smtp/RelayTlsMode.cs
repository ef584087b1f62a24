namespace Postbote.Delivery.Smtp;

/// <summary>How the relayhost connection is secured.</summary>
public enum RelayTlsMode
{
    /// <summary>STARTTLS required (port 587): no plaintext fallback.</summary>
    StartTls,
    /// <summary>TLS from the first byte (port 465, RFC 8314).</summary>
    Implicit,
    /// <summary>Plaintext (a relay on a trusted network only).</summary>
    None,
}
