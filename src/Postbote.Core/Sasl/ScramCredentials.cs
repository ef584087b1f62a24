using System.Security.Cryptography;

namespace Postbote.Core.Sasl;

/// <summary>Derives the SCRAM keys to store for a password, and verifies a plaintext password against them.</summary>
public static class ScramCredentials
{
    /// <summary>The smallest iteration count accepted (RFC 7677 §4 recommends at least 4096).</summary>
    public const int MinimumIterations = 4096;

    /// <summary>Salt length in bytes for new keys.</summary>
    public const int SaltLength = 16;

    /// <summary>Derives keys for <paramref name="password"/> with a fresh random salt.</summary>
    /// <exception cref="ArgumentException">The password contains characters SASLprep prohibits.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than <see cref="MinimumIterations"/> iterations.</exception>
    public static ScramKeys Derive(string password, int iterations, ScramHash hash) =>
        Derive(password, RandomNumberGenerator.GetBytes(SaltLength), iterations, hash);

    /// <summary>Derives keys for <paramref name="password"/> with a given salt (for test vectors and migrations).</summary>
    public static ScramKeys Derive(string password, ReadOnlySpan<byte> salt, int iterations, ScramHash hash)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinimumIterations);
        var salted = ScramMath.SaltedPassword(hash, SaslPrep.Prepare(password), salt, iterations);
        var storedKey = ScramMath.H(hash, ScramMath.ClientKey(hash, salted));
        var serverKey = ScramMath.ServerKey(hash, salted);
        CryptographicOperations.ZeroMemory(salted);
        return new ScramKeys(hash, salt.ToArray(), iterations, storedKey, serverKey);
    }

    /// <summary>
    /// True when <paramref name="password"/> matches <paramref name="keys"/> (PBKDF2, then a constant-time compare of
    /// StoredKey). Used by PLAIN and LOGIN.
    /// </summary>
    public static bool Verify(string password, ScramKeys keys)
    {
        if (!SaslPrep.TryPrepare(password, out var prepared)) prepared = password;
        var salted = ScramMath.SaltedPassword(keys.Hash, prepared, keys.Salt, keys.Iterations);
        var storedKey = ScramMath.H(keys.Hash, ScramMath.ClientKey(keys.Hash, salted));
        CryptographicOperations.ZeroMemory(salted);
        return CryptographicOperations.FixedTimeEquals(storedKey, keys.StoredKey);
    }
}
