namespace Postbote.Core.Sasl;

/// <summary>The client-side SASL mechanisms, by name, and the choice among those a server advertises.</summary>
public static class SaslClientMechanisms
{
    /// <summary>Our preference order, strongest first.</summary>
    public static IReadOnlyList<string> Preference { get; } = ["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"];

    /// <summary>A new client exchange for <paramref name="name"/> (case-insensitive), or null when unknown.</summary>
    public static ISaslClientMechanism? Create(string name, string userName, string password) =>
        name.ToUpperInvariant() switch
        {
            "PLAIN" => new PlainClientMechanism(userName, password),
            "LOGIN" => new LoginClientMechanism(userName, password),
            "CRAM-MD5" => new CramMd5ClientMechanism(userName, password),
            "SCRAM-SHA-1" => new ScramClientMechanism(ScramHash.Sha1, userName, password),
            "SCRAM-SHA-256" => new ScramClientMechanism(ScramHash.Sha256, userName, password),
            _ => null,
        };

    /// <summary>
    /// The most preferred mechanism among <paramref name="advertised"/> (the words after "AUTH" in EHLO),
    /// or null when none is supported.
    /// </summary>
    public static string? Choose(IEnumerable<string> advertised)
    {
        var offered = new HashSet<string>(advertised, StringComparer.OrdinalIgnoreCase);
        return Preference.FirstOrDefault(offered.Contains);
    }
}
