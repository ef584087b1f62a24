namespace Postbote.Delivery.Tls;

/// <summary>The configuration spellings of <see cref="TlsLevel"/> (Postfix's: none, may, encrypt, verify, dane, dane-only).</summary>
public static class TlsLevels
{
    /// <summary>The accepted spellings, for error messages and documentation.</summary>
    public const string Names = "none, may, encrypt, verify, dane, dane-only";

    /// <summary>Parses a level name, case-insensitively.</summary>
    public static bool TryParse(string? text, out TlsLevel level)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "none": level = TlsLevel.None; return true;
            case "may": level = TlsLevel.May; return true;
            case "encrypt": level = TlsLevel.Encrypt; return true;
            case "verify": level = TlsLevel.Verify; return true;
            case "dane": level = TlsLevel.Dane; return true;
            case "dane-only": level = TlsLevel.DaneOnly; return true;
            default: level = TlsLevel.May; return false;
        }
    }

    /// <summary>The configuration spelling of <paramref name="level"/>.</summary>
    public static string Name(this TlsLevel level) => level switch
    {
        TlsLevel.None => "none",
        TlsLevel.May => "may",
        TlsLevel.Encrypt => "encrypt",
        TlsLevel.Verify => "verify",
        TlsLevel.Dane => "dane",
        TlsLevel.DaneOnly => "dane-only",
        _ => level.ToString(),
    };

    /// <summary>True for the levels under which a missing STARTTLS or failed handshake defers instead of falling back to plaintext.</summary>
    public static bool RequiresTls(this TlsLevel level) => level is TlsLevel.Encrypt or TlsLevel.Verify or TlsLevel.DaneOnly;
}
