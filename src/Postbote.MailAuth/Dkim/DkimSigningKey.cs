using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// One private key of a signing domain (d=) and selector (s=), stored as PKCS#8 PEM. RSA uses the BCL; Ed25519
/// (RFC 8463) uses BouncyCastle.Cryptography, as .NET 10 has no Ed25519 of its own (only inside composite ML-DSA).
/// </summary>
public sealed class DkimSigningKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly Ed25519PrivateKeyParameters? _ed25519;

    private DkimSigningKey(string domain, string selector, RSA? rsa, Ed25519PrivateKeyParameters? ed25519, DateTimeOffset created)
    {
        Domain = domain;
        Selector = selector;
        _rsa = rsa;
        _ed25519 = ed25519;
        Created = created;
    }

    /// <summary>The signing domain in lower-case A-label form.</summary>
    public string Domain { get; }
    public string Selector { get; }
    public DateTimeOffset Created { get; }
    public DkimAlgorithm Algorithm => _rsa is not null ? DkimAlgorithm.RsaSha256 : DkimAlgorithm.Ed25519Sha256;
    /// <summary>The a= tag value.</summary>
    public string AlgorithmName => _rsa is not null ? "rsa-sha256" : "ed25519-sha256";
    /// <summary>The k= tag value of the key record.</summary>
    public string KeyType => _rsa is not null ? "rsa" : "ed25519";
    public int KeyBits => _rsa?.KeySize ?? 256;
    /// <summary>The DNS name of the key record (RFC 6376 §3.6.2.1).</summary>
    public string RecordName => $"{Selector}._domainkey.{Domain}";

    /// <summary>p=: the SubjectPublicKeyInfo for RSA (§3.6.1), the raw 32-octet public key for Ed25519 (RFC 8463 §4.2).</summary>
    public string PublicKeyBase64 => Convert.ToBase64String(_rsa is not null
        ? _rsa.ExportSubjectPublicKeyInfo()
        : _ed25519!.GeneratePublicKey().GetEncoded());

    /// <summary>The key record's text (RFC 6376 §3.6.1).</summary>
    public string TxtRecord => $"v=DKIM1; k={KeyType}; p={PublicKeyBase64}";

    /// <summary>The record as a zone file line, its text split into strings of at most 255 octets (RFC 1035 §3.3.14).</summary>
    public string ZoneFileLine
    {
        get
        {
            var txt = TxtRecord;
            var parts = new List<string>();
            for (int i = 0; i < txt.Length; i += 255) parts.Add("\"" + txt.Substring(i, Math.Min(255, txt.Length - i)) + "\"");
            return $"{RecordName}. IN TXT {string.Join(" ", parts)}";
        }
    }

    /// <summary>Signs the canonical header data (RFC 6376 §3.7): RSASSA-PKCS1-v1_5 over SHA-256, or PureEdDSA over its SHA-256 hash (RFC 8463 §3).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        if (_rsa is not null) return _rsa.SignData(data.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var signer = new Ed25519Signer();
        signer.Init(true, _ed25519);
        var hash = SHA256.HashData(data);
        signer.BlockUpdate(hash, 0, hash.Length);
        return signer.GenerateSignature();
    }

    /// <summary>A new key: RSA of <paramref name="bits"/> bits, or Ed25519.</summary>
    public static DkimSigningKey Generate(string domain, string selector, DkimAlgorithm algorithm, int bits, DateTimeOffset now) =>
        algorithm == DkimAlgorithm.RsaSha256
            ? new DkimSigningKey(domain, selector, RSA.Create(bits), null, now)
            : new DkimSigningKey(domain, selector, null, new Ed25519PrivateKeyParameters(new SecureRandom()), now);

    /// <summary>The private key as PKCS#8 PEM ("PRIVATE KEY").</summary>
    public string ToPem() => _rsa is not null
        ? _rsa.ExportPkcs8PrivateKeyPem()
        : PemEncoding.WriteString("PRIVATE KEY", PrivateKeyInfoFactory.CreatePrivateKeyInfo(_ed25519).GetDerEncoded());

    /// <summary>Reads a PKCS#8 PEM key; the algorithm is the key's own (its OID).</summary>
    /// <exception cref="CryptographicException">Not a PKCS#8 RSA or Ed25519 key.</exception>
    public static DkimSigningKey FromPem(string domain, string selector, string pem, DateTimeOffset created)
    {
        var fields = PemEncoding.Find(pem);
        if (!pem.AsSpan()[fields.Label].SequenceEqual("PRIVATE KEY")) throw new CryptographicException("not a PKCS#8 private key");
        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        var info = PrivateKeyInfo.GetInstance(der);
        if (info.PrivateKeyAlgorithm.Algorithm.Id == "1.3.101.112") // id-Ed25519, RFC 8410
            return new DkimSigningKey(domain, selector, null, (Ed25519PrivateKeyParameters)PrivateKeyFactory.CreateKey(info), created);
        var rsa = RSA.Create();
        try { rsa.ImportPkcs8PrivateKey(der, out _); }
        catch
        {
            rsa.Dispose();
            throw;
        }
        return new DkimSigningKey(domain, selector, rsa, null, created);
    }

    public void Dispose() => _rsa?.Dispose();

    public override string ToString() => $"{RecordName} ({AlgorithmName}, {KeyBits} bits)";
}
