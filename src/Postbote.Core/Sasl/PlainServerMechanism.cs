namespace Postbote.Core.Sasl;

/// <summary>
/// PLAIN (RFC 4616): one message "[authzid] NUL authcid NUL passwd" in UTF-8. Without an initial response the
/// server first sends an empty challenge (RFC 4954 §4). An authzid is accepted only when it equals the authcid
/// (ignoring case); acting as another user is refused.
/// </summary>
public sealed class PlainServerMechanism : ISaslServerMechanism
{
    private readonly ISaslCredentialStore _store;
    private readonly SaslServerOptions _options;
    private bool _challenged;
    private bool _done;

    public PlainServerMechanism(ISaslCredentialStore store, SaslServerOptions? options = null)
    {
        _store = store;
        _options = options ?? new SaslServerOptions();
    }

    public string Name => "PLAIN";

    public async ValueTask<SaslServerStep> StepAsync(ReadOnlyMemory<byte>? clientResponse, CancellationToken cancellationToken)
    {
        if (_done) throw new InvalidOperationException("The PLAIN exchange is finished.");
        if (clientResponse is null)
        {
            if (_challenged) return Finish(SaslServerStep.Failed(SaslFailureKind.Malformed));
            _challenged = true;
            return SaslServerStep.ChallengeWith(ReadOnlyMemory<byte>.Empty);
        }

        _done = true;
        var span = clientResponse.Value.Span;
        int first = span.IndexOf((byte)0);
        if (first < 0) return SaslServerStep.Failed(SaslFailureKind.Malformed);
        int second = span[(first + 1)..].IndexOf((byte)0);
        if (second < 0) return SaslServerStep.Failed(SaslFailureKind.Malformed);
        second += first + 1;
        if (span[(second + 1)..].IndexOf((byte)0) >= 0) return SaslServerStep.Failed(SaslFailureKind.Malformed);

        if (!SaslText.TryDecode(span[..first], out var authzid)
            || !SaslText.TryDecode(span[(first + 1)..second], out var authcid)
            || !SaslText.TryDecode(span[(second + 1)..], out var password)
            || authcid.Length == 0 || password.Length == 0)
            return SaslServerStep.Failed(SaslFailureKind.Malformed);

        if (authzid.Length > 0 && !string.Equals(authzid, authcid, StringComparison.OrdinalIgnoreCase))
            return SaslServerStep.Failed(SaslFailureKind.AuthzidNotPermitted);

        return await PasswordCheck.VerifyAsync(_store, _options, authcid, password, cancellationToken).ConfigureAwait(false);
    }

    private SaslServerStep Finish(SaslServerStep step)
    {
        _done = true;
        return step;
    }
}
