using System.Security.Cryptography;
using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>The SCRAM primitives of RFC 5802 §3 for SHA-1 and SHA-256.</summary>
internal static class ScramMath
{
    public static HashAlgorithmName AlgorithmName(ScramHash hash) =>
        hash == ScramHash.Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1;

    public static int HashLength(ScramHash hash) => hash == ScramHash.Sha256 ? 32 : 20;

    public static string MechanismName(ScramHash hash) => hash == ScramHash.Sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-1";

    public static byte[] Hmac(ScramHash hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) =>
        hash == ScramHash.Sha256 ? HMACSHA256.HashData(key, data) : HMACSHA1.HashData(key, data);

    public static byte[] Hmac(ScramHash hash, ReadOnlySpan<byte> key, string data) => Hmac(hash, key, Encoding.UTF8.GetBytes(data));

    public static byte[] H(ScramHash hash, ReadOnlySpan<byte> data) =>
        hash == ScramHash.Sha256 ? SHA256.HashData(data) : SHA1.HashData(data);

    /// <summary>SaltedPassword := Hi(Normalize(password), salt, i), which is PBKDF2 with HMAC.</summary>
    public static byte[] SaltedPassword(ScramHash hash, string preparedPassword, ReadOnlySpan<byte> salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(preparedPassword), salt, iterations, AlgorithmName(hash), HashLength(hash));

    public static byte[] ClientKey(ScramHash hash, ReadOnlySpan<byte> saltedPassword) => Hmac(hash, saltedPassword, "Client Key");

    public static byte[] ServerKey(ScramHash hash, ReadOnlySpan<byte> saltedPassword) => Hmac(hash, saltedPassword, "Server Key");

    public static byte[] Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var result = new byte[a.Length];
        for (int i = 0; i < a.Length; i++) result[i] = (byte)(a[i] ^ b[i]);
        return result;
    }

    /// <summary>A fresh nonce: 18 random bytes in base64 (printable, never a comma).</summary>
    public static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
}
