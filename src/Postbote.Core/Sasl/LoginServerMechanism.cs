namespace Postbote.Core.Sasl;

/// <summary>
/// LOGIN (draft-murchison-sasl-login): the server asks "Username:" then "Password:"; each answer is UTF-8 text.
/// An initial response on the AUTH command is taken as the user name (RFC 4954 clients do this).
/// </summary>
public sealed class LoginServerMechanism : ISaslServerMechanism
{
    /// <summary>The first challenge, "Username:" (base64 "VXNlcm5hbWU6").</summary>
    public static ReadOnlyMemory<byte> UsernameChallenge { get; } = "Username:"u8.ToArray();

    /// <summary>The second challenge, "Password:" (base64 "UGFzc3dvcmQ6").</summary>
    public static ReadOnlyMemory<byte> PasswordChallenge { get; } = "Password:"u8.ToArray();

    private readonly ISaslCredentialStore _store;
    private readonly SaslServerOptions _options;
    private int _state; // 0 start, 1 waiting for user, 2 waiting for password, 3 done
    private string? _user;

    public LoginServerMechanism(ISaslCredentialStore store, SaslServerOptions? options = null)
    {
        _store = store;
        _options = options ?? new SaslServerOptions();
    }

    public string Name => "LOGIN";

    public async ValueTask<SaslServerStep> StepAsync(ReadOnlyMemory<byte>? clientResponse, CancellationToken cancellationToken)
    {
        switch (_state)
        {
            case 0 when clientResponse is null:
                _state = 1;
                return SaslServerStep.ChallengeWith(UsernameChallenge);
            case 0:
            case 1:
                if (clientResponse is null || !SaslText.TryDecode(clientResponse.Value.Span, out _user) || _user.Length == 0)
                    return Fail();
                _state = 2;
                return SaslServerStep.ChallengeWith(PasswordChallenge);
            case 2:
                if (clientResponse is null || !SaslText.TryDecode(clientResponse.Value.Span, out var password) || password.Length == 0)
                    return Fail();
                _state = 3;
                return await PasswordCheck.VerifyAsync(_store, _options, _user!, password, cancellationToken).ConfigureAwait(false);
            default:
                throw new InvalidOperationException("The LOGIN exchange is finished.");
        }
    }

    private SaslServerStep Fail()
    {
        _state = 3;
        return SaslServerStep.Failed(SaslFailureKind.Malformed);
    }
}
