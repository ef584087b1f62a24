namespace Postbote.Core.Sasl;

/// <summary>Verifies a plaintext user name and password (PLAIN, LOGIN) against the stored SCRAM keys.</summary>
internal static class PasswordCheck
{
    public static async ValueTask<SaslServerStep> VerifyAsync(
        ISaslCredentialStore store, SaslServerOptions options, string user, string password, CancellationToken ct)
    {
        if (user.Length == 0 || !SaslPrep.TryPrepare(user, out var preparedUser))
            return SaslServerStep.Failed(SaslFailureKind.Malformed);

        var credentials = await store.FindAsync(preparedUser, ct).ConfigureAwait(false);
        var keys = credentials?.ScramSha256 ?? credentials?.ScramSha1;
        bool known = keys is not null;
        keys ??= FakeCredentials.For(preparedUser, ScramHash.Sha256, options.UnknownUserIterations);

        bool ok = ScramCredentials.Verify(password, keys); // same work whether or not the user exists
        return known && ok ? SaslServerStep.Succeeded(credentials!.UserName) : SaslServerStep.Failed(SaslFailureKind.BadCredentials);
    }
}
