namespace Postbote.Delivery.Smtp;

/// <summary>One SASL exchange as the client: an optional initial response, then one response per 334 challenge.</summary>
public interface ISmtpClientAuthExchange
{
    /// <summary>The initial response sent with the AUTH command, or null to wait for a challenge. Empty means "=".</summary>
    byte[]? InitialResponse { get; }

    /// <summary>Answers a server challenge (already base64-decoded).</summary>
    byte[] Respond(ReadOnlySpan<byte> challenge);
}
