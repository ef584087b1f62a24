using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Postbote.TestSupport;

/// <summary>
/// A throw-away certificate authority for TLS verification tests: a self-signed CA and server certificates it issues
/// (TLS server EKU, subjectAltName dNSNames), written as PEM for third-party peers (Postfix's smtpd_tls_cert_file).
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly RSA _key;

    public TestCertificateAuthority(string name = "Postbote Test CA")
    {
        _key = RSA.Create(2048);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}"), _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Certificate = request.CreateSelfSigned(now.AddMinutes(-10), now.AddDays(30));
    }

    /// <summary>The CA certificate (with its private key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM, for a trust-anchor file (Delivery:Tls:CAFile).</summary>
    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    /// <summary>Issues a server certificate for <paramref name="dnsNames"/> (the first is also the CN), with its private key.</summary>
    public X509Certificate2 Issue(params string[] dnsNames)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={dnsNames[0]}"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames) san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var issued = request.Create(Certificate, now.AddMinutes(-5), now.AddDays(7), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Writes a certificate (followed by <paramref name="chain"/>) and its key as PEM files; returns their paths.</summary>
    public static (string CertificateFile, string KeyFile) WritePem(X509Certificate2 certificate, string directory, string baseName, params X509Certificate2[] chain)
    {
        Directory.CreateDirectory(directory);
        var certificateFile = Path.Combine(directory, baseName + ".crt");
        var keyFile = Path.Combine(directory, baseName + ".key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem() + "\n" + string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n")));
        using var rsa = certificate.GetRSAPrivateKey();
        using var ec = rsa is null ? certificate.GetECDsaPrivateKey() : null;
        var keyPem = rsa?.ExportPkcs8PrivateKeyPem() ?? ec?.ExportPkcs8PrivateKeyPem() ?? throw new ArgumentException("certificate has no private key", nameof(certificate));
        File.WriteAllText(keyFile, keyPem + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (certificateFile, keyFile);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
