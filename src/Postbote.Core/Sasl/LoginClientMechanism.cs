using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>LOGIN for the client: answers the first challenge with the user name and the second with the password.</summary>
public sealed class LoginClientMechanism : ISaslClientMechanism
{
    private readonly string _userName;
    private readonly string _password;
    private int _answered;

    public LoginClientMechanism(string userName, string password)
    {
        _userName = userName;
        _password = password;
    }

    public string Name => "LOGIN";
    public bool IsComplete => _answered >= 2;

    public byte[]? InitialResponse() => null;

    public byte[] Respond(ReadOnlySpan<byte> challenge) => _answered++ switch
    {
        0 => Encoding.UTF8.GetBytes(_userName),
        1 => Encoding.UTF8.GetBytes(_password),
        _ => throw new SaslClientException("Unexpected third LOGIN challenge."),
    };
}
