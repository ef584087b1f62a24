using System.Security.Cryptography;
using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>
/// SCRAM-SHA-1 / SCRAM-SHA-256 for the client, without channel binding (gs2 header "n,,"). Verifies the server
/// signature in the server-final message and throws <see cref="SaslClientException"/> if it is wrong or missing.
/// </summary>
public sealed class ScramClientMechanism : ISaslClientMechanism
{
    private readonly ScramHash _hash;
    private readonly string _password;
    private readonly string _gs2Header;
    private readonly string _clientNonce;
    private readonly string _clientFirstBare;
    private byte[]? _expectedServerSignature;
    private int _state; // 0 initial, 1 sent client-first, 2 sent client-final, 3 verified

    /// <param name="nonceFactory">Source of the client nonce; null for a random one (injectable for test vectors).</param>
    public ScramClientMechanism(ScramHash hash, string userName, string password, string? authzid = null, Func<string>? nonceFactory = null)
    {
        _hash = hash;
        _password = SaslPrep.Prepare(password);
        _clientNonce = nonceFactory?.Invoke() ?? ScramMath.NewNonce();
        if (!ScramSyntax.IsValidNonce(_clientNonce)) throw new ArgumentException("Invalid nonce.", nameof(nonceFactory));
        _gs2Header = authzid is null ? "n,," : $"n,a={ScramSyntax.EncodeName(authzid)},";
        _clientFirstBare = $"n={ScramSyntax.EncodeName(SaslPrep.Prepare(userName))},r={_clientNonce}";
    }

    public string Name => ScramMath.MechanismName(_hash);
    public bool IsComplete => _state == 3;

    public byte[]? InitialResponse()
    {
        if (_state != 0) throw new InvalidOperationException("The initial response was already produced.");
        _state = 1;
        return Encoding.UTF8.GetBytes(_gs2Header + _clientFirstBare);
    }

    public byte[] Respond(ReadOnlySpan<byte> challenge)
    {
        switch (_state)
        {
            case 0 when challenge.IsEmpty: // server sent an empty challenge instead of taking an initial response
                return InitialResponse()!;
            case 1:
                return ClientFinal(challenge);
            case 2:
                VerifyServerFinal(challenge);
                _state = 3;
                return [];
            default:
                throw new SaslClientException($"Unexpected {Name} challenge.");
        }
    }

    private byte[] ClientFinal(ReadOnlySpan<byte> challenge)
    {
        if (!SaslText.TryDecode(challenge, out var serverFirst) || !ScramSyntax.TrySplit(serverFirst, out var attrs)
            || attrs.Count < 3 || attrs[0].Key != 'r' || attrs[1].Key != 's' || attrs[2].Key != 'i')
            throw new SaslClientException("Malformed SCRAM server-first message.");
        string nonce = attrs[0].Value;
        if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal) || nonce.Length == _clientNonce.Length || !ScramSyntax.IsValidNonce(nonce))
            throw new SaslClientException("The server's SCRAM nonce does not extend ours.");
        if (!ScramSyntax.TryFromBase64(attrs[1].Value, out var salt) || salt.Length == 0)
            throw new SaslClientException("Malformed SCRAM salt.");
        if (!int.TryParse(attrs[2].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int iterations)
            || iterations < 1 || iterations > 10_000_000)
            throw new SaslClientException("Unacceptable SCRAM iteration count.");

        string withoutProof = $"c={Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header))},r={nonce}";
        byte[] authMessage = Encoding.UTF8.GetBytes(_clientFirstBare + "," + serverFirst + "," + withoutProof);
        var salted = ScramMath.SaltedPassword(_hash, _password, salt, iterations);
        var clientKey = ScramMath.ClientKey(_hash, salted);
        var storedKey = ScramMath.H(_hash, clientKey);
        var proof = ScramMath.Xor(clientKey, ScramMath.Hmac(_hash, storedKey, authMessage));
        _expectedServerSignature = ScramMath.Hmac(_hash, ScramMath.ServerKey(_hash, salted), authMessage);
        CryptographicOperations.ZeroMemory(salted);
        _state = 2;
        return Encoding.UTF8.GetBytes(withoutProof + ",p=" + Convert.ToBase64String(proof));
    }

    private void VerifyServerFinal(ReadOnlySpan<byte> challenge)
    {
        if (!SaslText.TryDecode(challenge, out var serverFinal))
            throw new SaslClientException("Malformed SCRAM server-final message.");
        if (serverFinal.StartsWith("e=", StringComparison.Ordinal))
            throw new SaslClientException("SCRAM server error: " + serverFinal[2..]);
        int comma = serverFinal.IndexOf(',');
        string v = comma < 0 ? serverFinal : serverFinal[..comma];
        if (!v.StartsWith("v=", StringComparison.Ordinal) || !ScramSyntax.TryFromBase64(v[2..], out var signature)
            || !CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
            throw new SaslClientException("The SCRAM server signature is wrong: the server does not know our credentials.");
    }
}
