using Postbote.Core.Sasl;
using Postbote.Directory;

namespace Postbote.Smtpd;

/// <summary>AUTH against the directory's users, with the SASL mechanisms of Postbote.Core.</summary>
public sealed class DirectoryAuthenticator : ISmtpAuthenticator
{
    private readonly IMailDirectory _directory;
    private readonly SaslServerOptions _sasl;

    /// <param name="mechanisms">Offered mechanisms in order; DIGEST-MD5, NTLM and RPA are never offered (RFC 6331, proprietary).</param>
    public DirectoryAuthenticator(IMailDirectory directory, IReadOnlyList<string> mechanisms, SaslServerOptions sasl)
    {
        _directory = directory;
        _sasl = sasl;
        var unknown = mechanisms.Where(m => !SaslServerMechanisms.Names.Contains(m, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Auth:Mechanisms: unsupported mechanism(s) {string.Join(", ", unknown)}; supported: {string.Join(", ", SaslServerMechanisms.Names)}");
        Mechanisms = mechanisms.Select(m => m.ToUpperInvariant()).ToList();
    }

    /// <summary>
    /// PLAIN and LOGIN first, as the walk-through's server lists them, then SCRAM. CRAM-MD5 is not offered by default: it
    /// works only for users an admin opted in, and clients that prefer it (Python's smtplib) would fail and be throttled.
    /// Add it with Auth:Mechanisms.
    /// </summary>
    public static IReadOnlyList<string> DefaultMechanisms { get; } = new[] { "PLAIN", "LOGIN", "SCRAM-SHA-256", "SCRAM-SHA-1" };

    public IReadOnlyList<string> Mechanisms { get; }

    public ISaslExchange? Start(string mechanism)
    {
        if (!Mechanisms.Contains(mechanism, StringComparer.OrdinalIgnoreCase)) return null;
        var m = SaslServerMechanisms.Create(mechanism, _directory, _sasl);
        return m is null ? null : new Exchange(m);
    }

    public async ValueTask<bool> OwnsAddressAsync(string user, string address, CancellationToken ct) =>
        await _directory.OwnsSenderAsync(user, address, ct).ConfigureAwait(false);

    private sealed class Exchange(ISaslServerMechanism mechanism) : ISaslExchange
    {
        public async ValueTask<SaslOutcome> StepAsync(ReadOnlyMemory<byte>? clientResponse, CancellationToken ct)
        {
            var step = await mechanism.StepAsync(clientResponse, ct).ConfigureAwait(false);
            if (step.IsChallenge) return SaslOutcome.Continue(step.Challenge.ToArray());
            if (step.IsSuccess) return SaslOutcome.Success(step.UserName!);
            return step.Failure == SaslFailureKind.Malformed ? SaslOutcome.MalformedInput : SaslOutcome.Failure;
        }
    }
}
