using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>PLAIN (RFC 4616) for the client: "[authzid] NUL user NUL password", sent as the initial response.</summary>
public sealed class PlainClientMechanism : ISaslClientMechanism
{
    private readonly byte[] _message;

    public PlainClientMechanism(string userName, string password, string? authzid = null) =>
        _message = Encoding.UTF8.GetBytes($"{authzid}\0{userName}\0{password}");

    public string Name => "PLAIN";
    public bool IsComplete { get; private set; }

    public byte[]? InitialResponse()
    {
        IsComplete = true;
        return (byte[])_message.Clone();
    }

    /// <summary>Answers the empty challenge of a server that wants the message after AUTH PLAIN.</summary>
    public byte[] Respond(ReadOnlySpan<byte> challenge)
    {
        if (IsComplete && challenge.Length > 0) throw new SaslClientException("Unexpected PLAIN challenge.");
        IsComplete = true;
        return (byte[])_message.Clone();
    }
}
