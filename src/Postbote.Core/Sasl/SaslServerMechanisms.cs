namespace Postbote.Core.Sasl;

/// <summary>The server-side SASL mechanisms we implement, by name.</summary>
public static class SaslServerMechanisms
{
    /// <summary>
    /// Every supported mechanism, strongest first. The session advertises these after TLS; CRAM-MD5 may be left out
    /// by configuration since it works only for opted-in users.
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN", "CRAM-MD5"];

    /// <summary>A new exchange for mechanism <paramref name="name"/> (case-insensitive), or null if unknown.</summary>
    public static ISaslServerMechanism? Create(string name, ISaslCredentialStore store, SaslServerOptions? options = null) =>
        name.ToUpperInvariant() switch
        {
            "PLAIN" => new PlainServerMechanism(store, options),
            "LOGIN" => new LoginServerMechanism(store, options),
            "CRAM-MD5" => new CramMd5ServerMechanism(store, options),
            "SCRAM-SHA-1" => new ScramServerMechanism(ScramHash.Sha1, store, options),
            "SCRAM-SHA-256" => new ScramServerMechanism(ScramHash.Sha256, store, options),
            _ => null,
        };
}
