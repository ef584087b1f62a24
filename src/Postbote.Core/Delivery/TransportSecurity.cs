namespace Postbote.Core.Delivery;

/// <summary>
/// How one outbound session was secured, for the mail log (<c>tls=verified, protocol=TLSv1.3, cipher=...</c>),
/// metrics and learned TLS levels. One instance per connection, shared by the results of its deliveries.
/// </summary>
/// <param name="Kind">
/// <c>none</c> (plaintext), <c>opportunistic</c> (encrypted, certificate not verified), <c>verified</c> (certificate
/// chain and name verified), later <c>dane-ee</c>, <c>dane-ta</c>, <c>mta-sts</c>.
/// </param>
/// <param name="Protocol">"TLSv1.3", "TLSv1.2", or null in plaintext.</param>
/// <param name="Cipher">The IANA cipher suite name, or null in plaintext.</param>
public sealed record TransportSecurity(string Kind, string? Protocol, string? Cipher)
{
    /// <summary>A plaintext session.</summary>
    public static TransportSecurity Plaintext { get; } = new("none", null, null);

    /// <summary>True when the session ran over TLS.</summary>
    public bool IsTls => Protocol is not null;

    /// <summary>True when the peer's identity was authenticated (verified, DANE, MTA-STS).</summary>
    public bool IsAuthenticated => IsTls && Kind != "opportunistic";

    /// <summary>The mail log's value of tls=: "none", or "verified, protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384".</summary>
    public string LogText => _logText ??= Protocol is null ? Kind : $"{Kind}, protocol={Protocol}, cipher={Cipher}";
    private string? _logText;

    /// <inheritdoc/>
    public override string ToString() => LogText;
}
