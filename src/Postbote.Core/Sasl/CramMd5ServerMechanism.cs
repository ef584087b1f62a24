using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Postbote.Core.Sasl;

/// <summary>
/// CRAM-MD5 (RFC 2195): the server sends "&lt;unique@host&gt;", the client answers "user SP hex(HMAC-MD5(secret, challenge))".
/// Works only for users whose stored credentials include a CRAM-MD5 secret (an admin opt-in, because that secret is
/// plaintext-equivalent); for anyone else it fails as bad credentials after the same work.
/// </summary>
public sealed class CramMd5ServerMechanism : ISaslServerMechanism
{
    private readonly ISaslCredentialStore _store;
    private readonly SaslServerOptions _options;
    private byte[]? _challenge;
    private bool _done;

    public CramMd5ServerMechanism(ISaslCredentialStore store, SaslServerOptions? options = null)
    {
        _store = store;
        _options = options ?? new SaslServerOptions();
    }

    public string Name => "CRAM-MD5";

    public async ValueTask<SaslServerStep> StepAsync(ReadOnlyMemory<byte>? clientResponse, CancellationToken cancellationToken)
    {
        if (_done) throw new InvalidOperationException("The CRAM-MD5 exchange is finished.");
        if (_challenge is null)
        {
            if (clientResponse is not null) return Finish(SaslServerStep.Failed(SaslFailureKind.Malformed)); // server speaks first
            string challenge = _options.CramMd5ChallengeFactory?.Invoke() ?? NewChallenge(_options.Hostname);
            _challenge = Encoding.UTF8.GetBytes(challenge);
            return SaslServerStep.ChallengeWith(_challenge);
        }

        _done = true;
        if (clientResponse is null || !SaslText.TryDecode(clientResponse.Value.Span, out var text))
            return SaslServerStep.Failed(SaslFailureKind.Malformed);
        int space = text.LastIndexOf(' ');
        if (space <= 0 || text.Length - space - 1 != 32) return SaslServerStep.Failed(SaslFailureKind.Malformed);
        byte[] digest;
        try { digest = Convert.FromHexString(text.AsSpan(space + 1)); }
        catch (FormatException) { return SaslServerStep.Failed(SaslFailureKind.Malformed); }
        if (!SaslPrep.TryPrepare(text[..space], out var user)) return SaslServerStep.Failed(SaslFailureKind.Malformed);

        var credentials = await _store.FindAsync(user, cancellationToken).ConfigureAwait(false);
        string secret = credentials?.CramMd5Secret ?? FakeCredentials.CramSecret();
        var expected = HMACMD5.HashData(Encoding.UTF8.GetBytes(secret), _challenge);
        bool ok = CryptographicOperations.FixedTimeEquals(expected, digest);
        return ok && credentials?.CramMd5Secret is not null
            ? SaslServerStep.Succeeded(credentials.UserName)
            : SaslServerStep.Failed(SaslFailureKind.BadCredentials);
    }

    private static string NewChallenge(string hostname)
    {
        ulong a = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) % 1_000_000_000UL;
        ulong b = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) % 1_000_000_000_000UL;
        return string.Create(CultureInfo.InvariantCulture, $"<{a}.{b}@{hostname}>");
    }

    private SaslServerStep Finish(SaslServerStep step)
    {
        _done = true;
        return step;
    }
}
