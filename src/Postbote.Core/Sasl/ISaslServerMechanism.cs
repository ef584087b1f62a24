namespace Postbote.Core.Sasl;

/// <summary>
/// One server-side SASL exchange (create a new instance per AUTH command).
/// The first call passes the initial response of "AUTH mech [initial-response]" or <c>null</c> when there was none
/// (an initial response of "=" is an empty, non-null buffer). Beware: a null <c>byte[]</c> converts to a non-null
/// empty <see cref="ReadOnlyMemory{T}"/>; pass <c>(ReadOnlyMemory&lt;byte&gt;?)null</c> for "no initial response". Each following call passes the client's decoded
/// answer to the previous challenge. The session handles base64, the "*" cancel and reply codes.
/// Calling again after success or failure throws <see cref="InvalidOperationException"/>.
/// </summary>
public interface ISaslServerMechanism
{
    /// <summary>The mechanism name as advertised in EHLO, e.g. "SCRAM-SHA-256".</summary>
    string Name { get; }

    /// <summary>Processes the client's response and returns the next step.</summary>
    ValueTask<SaslServerStep> StepAsync(ReadOnlyMemory<byte>? clientResponse, CancellationToken cancellationToken);
}
