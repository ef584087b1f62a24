using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Postbote.Delivery.Tls;

/// <summary>
/// Checks a peer certificate the way a verify policy demands: the chain ends in a trust anchor (the system store,
/// as already judged by SslStream, or the policy's CA certificates) and one of the certificate's DNS names (the
/// subjectAltName dNSNames, else the subject CN, RFC 6125 §6.4.4) matches one of the patterns. Revocation is not
/// checked (as Postfix). Runs in the TLS validation callback; with the system store it costs no second chain build.
/// </summary>
public static class CertificateVerifier
{
    /// <summary>Checks <paramref name="certificate"/>; returns null when it verifies, else the reason it does not.</summary>
    /// <param name="certificate">The peer's leaf certificate (null: none presented).</param>
    /// <param name="chain">The chain SslStream built (its extra elements are the peer's intermediates).</param>
    /// <param name="errors">SslStream's verdict against the system store.</param>
    /// <param name="patterns">Resolved match names (<see cref="TlsMatchNames.Resolve"/>).</param>
    /// <param name="anchors">Trust anchors instead of the system store, or null.</param>
    public static string? Check(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, IReadOnlyList<string> patterns,
        X509Certificate2Collection? anchors)
    {
        if (certificate is not X509Certificate2 leaf || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return "no certificate presented";
        if (anchors is null)
        {
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
                return "certificate not trusted: " + ChainProblem(chain);
        }
        else
        {
            using var own = new X509Chain();
            own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            own.ChainPolicy.CustomTrustStore.AddRange(anchors);
            own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            own.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
            if (chain is not null)
            {
                own.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
                foreach (var element in chain.ChainElements)
                {
                    if (!ReferenceEquals(element.Certificate, leaf)) own.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
            if (!own.Build(leaf))
                return "certificate not trusted by the configured CA file: " + ChainProblem(own);
        }
        var names = DnsNames(leaf);
        foreach (var name in names)
        {
            foreach (var pattern in patterns)
            {
                if (TlsMatchNames.Matches(name, pattern)) return null;
            }
        }
        return $"certificate name mismatch: it names {(names.Count == 0 ? "no host" : string.Join(", ", names))}, expected {string.Join(" or ", patterns)}";
    }

    /// <summary>The certificate's DNS names: subjectAltName dNSNames, or the subject CN when it has none.</summary>
    public static IReadOnlyList<string> DnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != "2.5.29.17") continue;
            var san = extension as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
            names.AddRange(san.EnumerateDnsNames());
            foreach (var address in san.EnumerateIPAddresses()) names.Add(address.ToString()); // a relayhost given as an address literal
        }
        if (names.Count == 0 && certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } cn)
            names.Add(cn);
        return names;
    }

    private static string ChainProblem(X509Chain? chain)
    {
        if (chain is null || chain.ChainStatus.Length == 0) return "no chain to a trust anchor";
        return string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
    }
}
