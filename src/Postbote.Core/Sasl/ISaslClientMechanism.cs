namespace Postbote.Core.Sasl;

/// <summary>
/// One client-side SASL exchange (for AUTH to a smarthost). Send "AUTH Name [base64(InitialResponse())]", then answer
/// every 334 challenge with base64(Respond(decoded challenge)). Raw bytes; the SMTP client does the base64.
/// <see cref="Respond"/> throws <see cref="SaslClientException"/> when the server's message is malformed or, for SCRAM,
/// when the server's signature is wrong (then the server is not who it claims; abort with "*" or disconnect).
/// </summary>
public interface ISaslClientMechanism
{
    /// <summary>The mechanism name as sent in AUTH.</summary>
    string Name { get; }

    /// <summary>The initial response to send with AUTH, or null when the mechanism waits for a challenge.</summary>
    byte[]? InitialResponse();

    /// <summary>The answer to a server challenge.</summary>
    byte[] Respond(ReadOnlySpan<byte> challenge);

    /// <summary>True once the client has sent its last message and (for SCRAM) verified the server.</summary>
    bool IsComplete { get; }
}
