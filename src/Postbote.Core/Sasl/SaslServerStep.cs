namespace Postbote.Core.Sasl;

/// <summary>
/// The result of one server-side SASL step: a challenge to send, success with the authenticated user,
/// or a failure with its kind. Raw bytes; the session does the base64 of RFC 4954.
/// </summary>
public sealed class SaslServerStep
{
    private SaslServerStep(SaslStepKind kind, ReadOnlyMemory<byte> challenge, string? userName, SaslFailureKind failure)
    {
        Kind = kind;
        Challenge = challenge;
        UserName = userName;
        Failure = failure;
    }

    /// <summary>Challenge, success or failure.</summary>
    public SaslStepKind Kind { get; }

    /// <summary>The challenge bytes when <see cref="Kind"/> is <see cref="SaslStepKind.Challenge"/> (may be empty).</summary>
    public ReadOnlyMemory<byte> Challenge { get; }

    /// <summary>The authenticated user name (as the credential store spells it) on success.</summary>
    public string? UserName { get; }

    /// <summary>Why the exchange failed, meaningful only when <see cref="Kind"/> is <see cref="SaslStepKind.Failure"/>.</summary>
    public SaslFailureKind Failure { get; }

    public bool IsChallenge => Kind == SaslStepKind.Challenge;
    public bool IsSuccess => Kind == SaslStepKind.Success;
    public bool IsFailure => Kind == SaslStepKind.Failure;

    public static SaslServerStep ChallengeWith(ReadOnlyMemory<byte> data) => new(SaslStepKind.Challenge, data, null, default);
    public static SaslServerStep Succeeded(string userName) => new(SaslStepKind.Success, default, userName, default);
    public static SaslServerStep Failed(SaslFailureKind kind) => new(SaslStepKind.Failure, default, null, kind);

    public override string ToString() => Kind switch
    {
        SaslStepKind.Challenge => $"Challenge({Challenge.Length} bytes)",
        SaslStepKind.Success => $"Success({UserName})",
        _ => $"Failure({Failure})",
    };
}
