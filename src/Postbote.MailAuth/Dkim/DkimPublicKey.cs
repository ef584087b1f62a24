using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// A key record (RFC 6376 §3.6.1) fetched from SELECTOR._domainkey.DOMAIN: k=rsa with a SubjectPublicKeyInfo (or a
/// bare RSAPublicKey, as some publish), or k=ed25519 with the raw 32-octet key (RFC 8463 §4.2).
/// </summary>
public sealed class DkimPublicKey
{
    private readonly byte[] _rsaKey = [];
    private readonly Ed25519PublicKeyParameters? _ed25519;

    private DkimPublicKey(string keyType, byte[] rsaKey, Ed25519PublicKeyParameters? ed25519, int bits)
    {
        KeyType = keyType;
        _rsaKey = rsaKey;
        _ed25519 = ed25519;
        Bits = bits;
    }

    public string KeyType { get; }
    public int Bits { get; }

    /// <summary>Parses a record's text; null with <paramref name="error"/> set (and <paramref name="revoked"/> for an empty p=) otherwise.</summary>
    public static DkimPublicKey? Parse(string txt, out string error, out bool revoked)
    {
        revoked = false;
        var tags = DkimTagList.Parse(txt);
        if (tags is null) { error = "key record syntax"; return null; }
        if (tags.TryGetValue("v", out var v) && v != "DKIM1") { error = "key record version"; return null; }
        if (tags.TryGetValue("h", out var h) && !h.Split(':').Any(a => a.Trim() == "sha256")) { error = "key does not allow sha256"; return null; }
        if (tags.TryGetValue("s", out var s) && !s.Split(':').Any(t => t.Trim() is "*" or "email")) { error = "key not for email"; return null; }
        if (!tags.TryGetValue("p", out var p)) { error = "key record without p="; return null; }
        p = DkimTagList.WithoutWhiteSpace(p);
        if (p.Length == 0) { error = "key revoked"; revoked = true; return null; }
        byte[] raw;
        try { raw = Convert.FromBase64String(p); }
        catch (FormatException) { error = "key is not base64"; return null; }
        string k = tags.GetValueOrDefault("k", "rsa");
        error = "";
        try
        {
            if (k == "ed25519")
            {
                if (raw.Length != 32) { error = "ed25519 key is not 32 octets"; return null; }
                return new DkimPublicKey(k, [], new Ed25519PublicKeyParameters(raw), 256);
            }
            if (k != "rsa") { error = $"unknown key type k={k}"; return null; }
            using var rsa = RSA.Create();
            try { rsa.ImportSubjectPublicKeyInfo(raw, out _); }
            catch (CryptographicException) { rsa.ImportRSAPublicKey(raw, out _); }
            return new DkimPublicKey(k, rsa.ExportSubjectPublicKeyInfo(), null, rsa.KeySize);
        }
        catch (CryptographicException) { error = "key cannot be read"; return null; }
    }

    /// <summary>Checks a signature over the canonical header data with the algorithm the key is for.</summary>
    public bool Verify(ReadOnlySpan<byte> data, byte[] signature)
    {
        if (_ed25519 is not null)
        {
            var verifier = new Ed25519Signer();
            verifier.Init(false, _ed25519);
            var hash = SHA256.HashData(data);
            verifier.BlockUpdate(hash, 0, hash.Length);
            return verifier.VerifySignature(signature);
        }
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(_rsaKey, out _);
        return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }
}
