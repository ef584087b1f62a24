namespace Postbote.Delivery.Tls;

/// <summary>
/// The TLS security level of a destination, as Postfix's smtp_tls_security_level and smtp_tls_policy_maps name
/// them (configuration spelling in brackets).
/// </summary>
public enum TlsLevel
{
    /// <summary>[none] Never STARTTLS, even when offered.</summary>
    None,
    /// <summary>[may] Opportunistic: STARTTLS when offered, certificate not required to verify; plaintext when not offered
    /// or when the handshake fails (retried once in plaintext). The default for MX delivery, as in every MTA.</summary>
    May,
    /// <summary>[encrypt] TLS required, any certificate: no STARTTLS or a failed handshake defers with 4.7.5.</summary>
    Encrypt,
    /// <summary>[verify] TLS required and the certificate must chain to a trust anchor (system store or a CA file) and carry
    /// one of the match names (default: the MX host name); else deferred with 4.7.5.</summary>
    Verify,
    /// <summary>[dane] DANE (RFC 7672) where DNSSEC-validated TLSA records exist; without usable TLSA records, as <see cref="May"/>.</summary>
    Dane,
    /// <summary>[dane-only] DANE required: without DNSSEC-validated TLSA records that match, deferred with 4.7.5.</summary>
    DaneOnly,
}
