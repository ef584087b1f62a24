using System.Security.Cryptography;
using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>
/// SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677) without channel binding: the gs2 header may be "n" or "y"
/// (we advertise no -PLUS mechanism), "p=" is refused. An authzid is accepted only when it equals the user name.
/// Unknown users get a stable fake salt and the exchange runs to the end, failing only at the proof check.
/// After a valid proof the server signature is sent as a last challenge ("v=..."); the client's empty answer then
/// yields success, as RFC 4954 §4 requires for additional data with success in SMTP.
/// </summary>
public sealed class ScramServerMechanism : ISaslServerMechanism
{
    private readonly ISaslCredentialStore _store;
    private readonly SaslServerOptions _options;
    private readonly ScramHash _hash;
    private int _state; // 0 start, 1 sent server-first, 2 sent server-final, 3 done
    private string? _gs2Header, _clientFirstBare, _serverFirst, _nonce, _userName;
    private ScramKeys? _keys;
    private bool _knownUser;

    public ScramServerMechanism(ScramHash hash, ISaslCredentialStore store, SaslServerOptions? options = null)
    {
        _hash = hash;
        _store = store;
        _options = options ?? new SaslServerOptions();
    }

    public string Name => ScramMath.MechanismName(_hash);

    public async ValueTask<SaslServerStep> StepAsync(ReadOnlyMemory<byte>? clientResponse, CancellationToken cancellationToken)
    {
        switch (_state)
        {
            case 0 when clientResponse is null:
                return SaslServerStep.ChallengeWith(ReadOnlyMemory<byte>.Empty); // client must speak first
            case 0:
                return await ClientFirstAsync(clientResponse.Value, cancellationToken).ConfigureAwait(false);
            case 1:
                return clientResponse is null ? Fail(SaslFailureKind.Malformed) : ClientFinal(clientResponse.Value);
            case 2:
                _state = 3;
                return clientResponse is { Length: 0 }
                    ? SaslServerStep.Succeeded(_userName!)
                    : SaslServerStep.Failed(SaslFailureKind.Malformed);
            default:
                throw new InvalidOperationException($"The {Name} exchange is finished.");
        }
    }

    private async ValueTask<SaslServerStep> ClientFirstAsync(ReadOnlyMemory<byte> response, CancellationToken ct)
    {
        if (!SaslText.TryDecode(response.Span, out var text)) return Fail(SaslFailureKind.Malformed);
        if (text.StartsWith("p=", StringComparison.Ordinal)) return Fail(SaslFailureKind.ChannelBindingNotSupported);
        if (!(text.StartsWith("n,", StringComparison.Ordinal) || text.StartsWith("y,", StringComparison.Ordinal)))
            return Fail(SaslFailureKind.Malformed);

        int headerEnd = text.IndexOf(',', 2);
        if (headerEnd < 0) return Fail(SaslFailureKind.Malformed);
        string authzField = text[2..headerEnd];
        string? authzid = null;
        if (authzField.Length > 0)
        {
            if (!authzField.StartsWith("a=", StringComparison.Ordinal) || !ScramSyntax.TryDecodeName(authzField[2..], out authzid))
                return Fail(SaslFailureKind.Malformed);
        }
        _gs2Header = text[..(headerEnd + 1)];
        _clientFirstBare = text[(headerEnd + 1)..];

        if (!ScramSyntax.TrySplit(_clientFirstBare, out var attrs) || attrs.Count < 2
            || attrs[0].Key != 'n' || attrs[1].Key != 'r')
            return Fail(SaslFailureKind.Malformed); // includes a mandatory extension "m=" we don't support
        if (!ScramSyntax.TryDecodeName(attrs[0].Value, out var rawUser) || !SaslPrep.TryPrepare(rawUser, out var user))
            return Fail(SaslFailureKind.Malformed);
        string clientNonce = attrs[1].Value;
        if (!ScramSyntax.IsValidNonce(clientNonce)) return Fail(SaslFailureKind.Malformed);
        if (authzid is not null && !string.Equals(authzid, user, StringComparison.OrdinalIgnoreCase))
            return Fail(SaslFailureKind.AuthzidNotPermitted);

        var credentials = await _store.FindAsync(user, ct).ConfigureAwait(false);
        _keys = credentials?.KeysFor(_hash);
        _knownUser = _keys is not null;
        _userName = credentials?.UserName ?? user;
        _keys ??= FakeCredentials.For(user, _hash, _options.UnknownUserIterations);

        string serverNonce = _options.NonceFactory?.Invoke() ?? ScramMath.NewNonce();
        if (!ScramSyntax.IsValidNonce(serverNonce)) throw new InvalidOperationException("The nonce factory returned an invalid nonce.");
        _nonce = clientNonce + serverNonce;
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_keys.Salt)},i={_keys.Iterations}";
        _state = 1;
        return SaslServerStep.ChallengeWith(Encoding.UTF8.GetBytes(_serverFirst));
    }

    private SaslServerStep ClientFinal(ReadOnlyMemory<byte> response)
    {
        if (!SaslText.TryDecode(response.Span, out var text)) return Fail(SaslFailureKind.Malformed);
        int proofAt = text.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0) return Fail(SaslFailureKind.Malformed);
        string withoutProof = text[..proofAt];
        if (!ScramSyntax.TrySplit(withoutProof, out var attrs) || attrs.Count < 2 || attrs[0].Key != 'c' || attrs[1].Key != 'r')
            return Fail(SaslFailureKind.Malformed);
        if (!ScramSyntax.TryFromBase64(attrs[0].Value, out var cbind)
            || !cbind.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(_gs2Header!)))
            return Fail(SaslFailureKind.Malformed);
        if (!string.Equals(attrs[1].Value, _nonce, StringComparison.Ordinal)) return Fail(SaslFailureKind.Malformed);
        if (!ScramSyntax.TryFromBase64(text[(proofAt + 3)..], out var proof) || proof.Length != ScramMath.HashLength(_hash))
            return Fail(SaslFailureKind.Malformed);

        var keys = _keys!;
        string authMessage = _clientFirstBare + "," + _serverFirst + "," + withoutProof;
        byte[] authBytes = Encoding.UTF8.GetBytes(authMessage);
        var clientSignature = ScramMath.Hmac(_hash, keys.StoredKey, authBytes);
        var clientKey = ScramMath.Xor(proof, clientSignature);
        bool ok = CryptographicOperations.FixedTimeEquals(ScramMath.H(_hash, clientKey), keys.StoredKey);
        if (!ok || !_knownUser) return Fail(SaslFailureKind.BadCredentials);

        var serverSignature = ScramMath.Hmac(_hash, keys.ServerKey, authBytes);
        _state = 2;
        return SaslServerStep.ChallengeWith(Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)));
    }

    private SaslServerStep Fail(SaslFailureKind kind)
    {
        _state = 3;
        return SaslServerStep.Failed(kind);
    }
}
