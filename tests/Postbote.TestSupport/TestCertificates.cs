using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Postbote.TestSupport;

/// <summary>Self-signed server certificates for TLS tests (never for production).</summary>
public static class TestCertificates
{
    /// <summary>Creates a self-signed certificate for <paramref name="dnsName"/> (also 127.0.0.1) with an RSA-2048 or ECDSA P-256 key.</summary>
    public static X509Certificate2 CreateSelfSigned(string dnsName = "localhost", bool ecdsa = false)
    {
        using var rsa = ecdsa ? null : RSA.Create(2048);
        using var ec = ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        var subject = new X500DistinguishedName($"CN={dnsName}");
        var request = ecdsa
            ? new CertificateRequest(subject, ec!, HashAlgorithmName.SHA256)
            : new CertificateRequest(subject, rsa!, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
