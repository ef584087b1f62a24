namespace Postbote.Core.Sasl;

/// <summary>Settings for the server-side SASL mechanisms.</summary>
public sealed record SaslServerOptions
{
    /// <summary>Host name used in CRAM-MD5 challenges ("&lt;random.random@hostname&gt;", RFC 2195 §2).</summary>
    public string Hostname { get; init; } = "localhost";

    /// <summary>Iteration count shown and spent for unknown users, so their exchange looks and costs like a real one.
    /// Set it to the iteration count the directory uses for new passwords.</summary>
    public int UnknownUserIterations { get; init; } = ScramCredentials.MinimumIterations;

    /// <summary>Source of SCRAM server nonces; null for 18 random bytes in base64. Injectable for test vectors.</summary>
    public Func<string>? NonceFactory { get; init; }

    /// <summary>Source of CRAM-MD5 challenges (the whole "&lt;...&gt;" string); null for a random one.</summary>
    public Func<string>? CramMd5ChallengeFactory { get; init; }
}
