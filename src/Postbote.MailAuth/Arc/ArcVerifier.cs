using Postbote.MailAuth.Dkim;

namespace Postbote.MailAuth.Arc;

/// <summary>
/// Validates ARC chains (RFC 8617 §5.2). Keys are looked up as DKIM's, through <see cref="DkimVerifier"/>.
/// <see cref="Begin"/> takes the header section and returns an <see cref="ArcVerification"/> to feed the body as it
/// streams in, so a message is read once; a message without ARC fields costs one pass over its header names.
/// </summary>
public sealed class ArcVerifier(DkimVerifier keys)
{
    /// <summary>Starts validating a message from its header section (the octets up to and including the empty line).</summary>
    public ArcVerification Begin(ReadOnlySpan<byte> headerSection) => new(keys, headerSection.ToArray());

    /// <summary>Validates the chain of a whole message held in memory.</summary>
    public async Task<ArcCheck> VerifyAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        int headerLength = DkimHeaderFields.SectionLength(message.Span);
        using var verification = Begin(message.Span[..headerLength]);
        verification.AppendBody(message.Span[headerLength..]);
        return await verification.FinishAsync(ct).ConfigureAwait(false);
    }
}
