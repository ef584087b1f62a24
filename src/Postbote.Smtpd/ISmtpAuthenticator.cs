namespace Postbote.Smtpd;

/// <summary>
/// SASL for the SMTP AUTH command (RFC 4954): the mechanisms offered, a per-exchange state machine for each,
/// and the checks that follow a login (throttling of failures, sender ownership).
/// </summary>
public interface ISmtpAuthenticator
{
    /// <summary>Mechanism names in the order they are advertised, e.g. "PLAIN", "LOGIN", "SCRAM-SHA-256".</summary>
    IReadOnlyList<string> Mechanisms { get; }

    /// <summary>Starts an exchange, or null for an unknown mechanism.</summary>
    ISaslExchange? Start(string mechanism);

    /// <summary>True when <paramref name="user"/> may use <paramref name="address"/> as envelope or From: sender.</summary>
    ValueTask<bool> OwnsAddressAsync(string user, string address, CancellationToken ct);
}

/// <summary>One SASL exchange seen from the session: bytes in, a challenge, success or failure out.</summary>
public interface ISaslExchange
{
    ValueTask<SaslOutcome> StepAsync(ReadOnlyMemory<byte>? clientResponse, CancellationToken ct);
}

/// <summary>The result of one SASL step: a challenge to send (334), or the end (authenticated user or failure).</summary>
public readonly record struct SaslOutcome(byte[]? Challenge, string? User, bool Failed, bool Malformed = false)
{
    public static SaslOutcome Continue(byte[] challenge) => new(challenge, null, false);
    public static SaslOutcome Success(string user) => new(null, user, false);
    public static SaslOutcome Failure { get; } = new(null, null, true);
    /// <summary>The client's data did not follow the mechanism's syntax: 501 5.5.2 rather than 535.</summary>
    public static SaslOutcome MalformedInput { get; } = new(null, null, true, true);
}
