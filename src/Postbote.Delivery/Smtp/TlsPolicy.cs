namespace Postbote.Delivery.Smtp;

/// <summary>When the SMTP client uses STARTTLS (RFC 3207).</summary>
public enum TlsPolicy
{
    /// <summary>Never: stay in plaintext even when offered.</summary>
    None,
    /// <summary>Use STARTTLS when offered, without verifying the certificate; plaintext when not offered (the default for MX).</summary>
    Opportunistic,
    /// <summary>STARTTLS must be offered and the handshake succeed, else the session fails with 4.7.4 / 4.7.5.</summary>
    Required,
}
