namespace Postbote.Core.Sasl;

/// <summary>What a server-side SASL step asks the session to do next.</summary>
public enum SaslStepKind
{
    /// <summary>Send <see cref="SaslServerStep.Challenge"/> as a 334 reply (base64) and wait for the client's response.</summary>
    Challenge,
    /// <summary>The exchange succeeded; <see cref="SaslServerStep.UserName"/> is the authenticated user (reply 235).</summary>
    Success,
    /// <summary>The exchange failed; <see cref="SaslServerStep.Failure"/> says why.</summary>
    Failure,
}
