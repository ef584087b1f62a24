using System.Security.Cryptography.X509Certificates;

namespace Postbote.Delivery.Tls;

/// <summary>The TLS policy that applies to one destination, and where it comes from (for logs and `postbote dns route`).</summary>
/// <param name="Level">The security level.</param>
/// <param name="Match">For verify: the match names (keywords unresolved); see <see cref="TlsMatchNames"/>.</param>
/// <param name="TrustAnchors">For verify: the CA certificates to trust instead of the system store, or null for the system store.</param>
/// <param name="Source">Where the level comes from, e.g. "Delivery:Tls:Level" or "Delivery:Tls:Policies:2 (.example.com)".</param>
public sealed record DestinationTlsPolicy(TlsLevel Level, IReadOnlyList<string> Match, X509Certificate2Collection? TrustAnchors, string Source)
{
    /// <summary>A short description for the log, e.g. "verify (Delivery:Tls:Policies:0 (example.com))".</summary>
    public string Describe() => $"{Level.Name()} ({Source})";
}
