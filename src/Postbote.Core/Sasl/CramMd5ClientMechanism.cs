using System.Security.Cryptography;
using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>CRAM-MD5 (RFC 2195) for the client: answers "user SP lowercase-hex(HMAC-MD5(password, challenge))".</summary>
public sealed class CramMd5ClientMechanism : ISaslClientMechanism
{
    private readonly string _userName;
    private readonly string _password;

    public CramMd5ClientMechanism(string userName, string password)
    {
        _userName = userName;
        _password = password;
    }

    public string Name => "CRAM-MD5";
    public bool IsComplete { get; private set; }

    public byte[]? InitialResponse() => null;

    public byte[] Respond(ReadOnlySpan<byte> challenge)
    {
        if (IsComplete) throw new SaslClientException("Unexpected second CRAM-MD5 challenge.");
        if (challenge.IsEmpty) throw new SaslClientException("Empty CRAM-MD5 challenge.");
        IsComplete = true;
        var digest = HMACMD5.HashData(Encoding.UTF8.GetBytes(_password), challenge);
        return Encoding.UTF8.GetBytes(_userName + " " + Convert.ToHexStringLower(digest));
    }
}
