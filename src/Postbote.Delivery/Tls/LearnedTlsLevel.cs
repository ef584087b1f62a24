namespace Postbote.Delivery.Tls;

/// <summary>What a destination has shown it can do (chasquid's "TLS insecure" and "TLS secure"), in increasing order.</summary>
public enum LearnedTlsLevel
{
    /// <summary>Delivered over TLS, certificate not verified: later sessions must use TLS (any certificate).</summary>
    Encrypted = 1,
    /// <summary>Delivered over TLS with a certificate verified for the MX host name: later sessions must verify too.</summary>
    Verified = 2,
}

/// <summary>One learned destination, for `postbote tls list`.</summary>
/// <param name="Domain">The recipient domain (A-label, lower case).</param>
/// <param name="Level">The best level seen.</param>
/// <param name="Since">When that level was first seen.</param>
/// <param name="LastSeen">When a delivery last confirmed it (updated at most daily).</param>
public sealed record LearnedTlsEntry(string Domain, LearnedTlsLevel Level, DateTimeOffset Since, DateTimeOffset LastSeen);
