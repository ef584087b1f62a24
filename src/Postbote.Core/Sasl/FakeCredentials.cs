using System.Security.Cryptography;
using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>
/// Credentials for users that do not exist, so that an exchange for an unknown user costs the same work and shows
/// a salt that is stable per user name (derived with a per-process random key), never revealing non-existence.
/// </summary>
internal static class FakeCredentials
{
    private static readonly byte[] ProcessKey = RandomNumberGenerator.GetBytes(32);

    public static ScramKeys For(string userName, ScramHash hash, int iterations)
    {
        var mac = HMACSHA256.HashData(ProcessKey, Encoding.UTF8.GetBytes(hash + "\0" + userName));
        int len = ScramMath.HashLength(hash);
        // Random keys: no password can match them.
        return new ScramKeys(hash, mac[..16], iterations, RandomNumberGenerator.GetBytes(len), RandomNumberGenerator.GetBytes(len));
    }

    public static string CramSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
}
