using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Postbote.Smtpd.Tls;

/// <summary>
/// Serves the TLS certificate: a PEM chain and key from the configuration (the Let's Encrypt
/// fullchain.pem/privkey.pem layout), reloaded when either file changes (a certbot renewal just works), or a
/// self-signed certificate for the hostname generated into the data directory at first start, with a warning.
/// </summary>
public sealed partial class CertificateProvider
{
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(2);
    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private SslStreamCertificateContext _context;
    private DateTime _certStamp, _keyStamp;
    private DateTimeOffset _nextCheck;

    public CertificateProvider(string? certFile, string? keyFile, string dataDirectory, string hostname, TimeProvider time, ILogger<CertificateProvider> logger)
    {
        _time = time;
        _logger = logger;
        if (string.IsNullOrEmpty(certFile) != string.IsNullOrEmpty(keyFile))
            throw new ArgumentException("Tls:CertificateFile and Tls:KeyFile must be given together");
        if (string.IsNullOrEmpty(certFile))
        {
            var dir = Path.Combine(dataDirectory, "tls");
            System.IO.Directory.CreateDirectory(dir);
            _certFile = Path.Combine(dir, "selfsigned-cert.pem");
            _keyFile = Path.Combine(dir, "selfsigned-key.pem");
            if (!File.Exists(_certFile) || !File.Exists(_keyFile)) GenerateSelfSigned(hostname, _certFile, _keyFile);
            LogSelfSigned(_certFile);
        }
        else
        {
            _certFile = certFile;
            _keyFile = keyFile!;
        }
        _context = Load(_certFile, _keyFile);
        (_certStamp, _keyStamp) = Stamps();
        _nextCheck = _time.GetUtcNow() + RecheckInterval;
    }

    /// <summary>The leaf certificate now served.</summary>
    public X509Certificate2 Certificate => Current.TargetCertificate;

    /// <summary>The certificate context, reloaded from disk when the files changed.</summary>
    public SslStreamCertificateContext Current
    {
        get
        {
            var now = _time.GetUtcNow();
            if (now < _nextCheck) return _context;
            lock (_lock)
            {
                if (now < _nextCheck) return _context;
                _nextCheck = now + RecheckInterval;
                var stamps = Stamps();
                if (stamps == (_certStamp, _keyStamp)) return _context;
                try
                {
                    _context = Load(_certFile, _keyFile);
                    (_certStamp, _keyStamp) = stamps;
                    LogReloaded(_certFile, _context.TargetCertificate.Subject, _context.TargetCertificate.NotAfter);
                }
                catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
                {
                    // A half-written renewal: keep serving the old certificate and try again shortly.
                    LogReloadFailed(_certFile, e.Message);
                }
                return _context;
            }
        }
    }

    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificateContext = Current,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ClientCertificateRequired = false,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    private (DateTime, DateTime) Stamps() => (File.GetLastWriteTimeUtc(_certFile), File.GetLastWriteTimeUtc(_keyFile));

    private static SslStreamCertificateContext Load(string certFile, string keyFile)
    {
        var leaf = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(certFile);
        var intermediates = new X509Certificate2Collection();
        foreach (var c in chain)
            if (c.Thumbprint != leaf.Thumbprint) intermediates.Add(c);
        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    /// <summary>Writes a self-signed RSA-2048 certificate for <paramref name="hostname"/>, valid for 5 years.</summary>
    public static void GenerateSelfSigned(string hostname, string certFile, string keyFile)
    {
        using var rsa = RSA.Create(2048);
        var req = new CertificateRequest($"CN={hostname}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(hostname);
        if (hostname != "localhost") san.AddDnsName("localhost");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, critical: false));
        var now = DateTimeOffset.UtcNow;
        using var cert = req.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        // The key is 0600 from its creation (never readable by others, not even between a write and a chmod); a
        // leftover .tmp of an interrupted run is removed first, so CreateNew makes the file with this mode.
        File.Delete(keyFile + ".tmp");
        using (var key = new FileStream(keyFile + ".tmp", new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write,
            UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        using (var writer = new StreamWriter(key))
            writer.Write(rsa.ExportPkcs8PrivateKeyPem());
        File.Move(keyFile + ".tmp", keyFile, overwrite: true);
        File.WriteAllText(certFile + ".tmp", cert.ExportCertificatePem());
        File.Move(certFile + ".tmp", certFile, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "tls: no Tls:CertificateFile configured; serving a self-signed certificate from {File}. Clients will not trust it; configure a real certificate (e.g. Let's Encrypt fullchain.pem/privkey.pem)")]
    private partial void LogSelfSigned(string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "tls: reloaded certificate {File}: {Subject}, valid until {NotAfter:u}")]
    private partial void LogReloaded(string file, string subject, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Error, Message = "tls: could not reload certificate {File}, still serving the previous one: {Reason}")]
    private partial void LogReloadFailed(string file, string reason);
}
