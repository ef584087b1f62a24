namespace Postbote.Core.Sasl;

/// <summary>
/// The stored form of a password for one SCRAM hash (RFC 5802 §3): salt, iteration count, StoredKey = H(ClientKey)
/// and ServerKey = HMAC(SaltedPassword, "Server Key"). Knowing these does not let one log in with SCRAM or PLAIN.
/// </summary>
public sealed record ScramKeys(ScramHash Hash, byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>A compact text form "hash:iterations:salt:storedKey:serverKey" (base64 fields) for storage.</summary>
    public override string ToString() =>
        $"{(Hash == ScramHash.Sha256 ? "SHA-256" : "SHA-1")}:{Iterations}:{Convert.ToBase64String(Salt)}:{Convert.ToBase64String(StoredKey)}:{Convert.ToBase64String(ServerKey)}";

    /// <summary>Parses the form written by <see cref="ToString"/>; returns null when it is not valid.</summary>
    public static ScramKeys? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var parts = text.Split(':');
        if (parts.Length != 5) return null;
        ScramHash? hash = parts[0] switch { "SHA-256" => ScramHash.Sha256, "SHA-1" => ScramHash.Sha1, _ => null };
        if (hash is null || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int iterations) || iterations < 1)
            return null;
        try
        {
            return new ScramKeys(hash.Value, Convert.FromBase64String(parts[2]), iterations,
                Convert.FromBase64String(parts[3]), Convert.FromBase64String(parts[4]));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
