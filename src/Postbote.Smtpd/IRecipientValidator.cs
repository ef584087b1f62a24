using Postbote.Core.Addressing;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd;

/// <summary>
/// Checks a recipient in a local domain at RCPT time, so the server never accepts mail it would have to
/// bounce later (no backscatter). Returns null to accept, or the reply to refuse with.
/// </summary>
public interface IRecipientValidator
{
    /// <summary>
    /// Resolves a recipient of a local domain once, at RCPT time: either the reply to refuse it with, or its final
    /// mailboxes (aliases and plus-addressing resolved, so the queue holds what will be delivered and
    /// `queue show` tells the truth; the commit needs no second lookup).
    /// </summary>
    ValueTask<LocalRecipient> ResolveLocalRecipientAsync(Mailbox recipient, CancellationToken ct);

    /// <summary>
    /// As <see cref="ResolveLocalRecipientAsync(Mailbox, CancellationToken)"/> for a transaction that declared its
    /// size (MAIL's SIZE=, RFC 1870; 0 when not given), which a quota check takes into account.
    /// </summary>
    ValueTask<LocalRecipient> ResolveLocalRecipientAsync(Mailbox recipient, long declaredSize, CancellationToken ct) =>
        ResolveLocalRecipientAsync(recipient, ct);

    /// <summary>True for a domain made local at run time (e.g. `postbote domain add`), beyond the configured ones.</summary>
    ValueTask<bool> IsLocalDomainAsync(string asciiDomain, CancellationToken ct);
}

/// <summary>Outcome of <see cref="IRecipientValidator.ResolveLocalRecipientAsync"/>: a refusal, or the final mailboxes.</summary>
public readonly record struct LocalRecipient(SmtpReply? Refusal, IReadOnlyList<string> Mailboxes)
{
    /// <summary>The mailboxes (of <see cref="Mailboxes"/>) that an alias sends off-site, i.e. forwarded mail; null: none.</summary>
    public IReadOnlyList<string>? Forwarded { get; init; }

    public static LocalRecipient Refused(SmtpReply reply) => new(reply, Array.Empty<string>());
    public static LocalRecipient As(Mailbox recipient) => new(null, new[] { recipient.ToString() });
}

/// <summary>Accepts every local part of a local domain (used when no directory is configured).</summary>
public sealed class AcceptAllLocalRecipients : IRecipientValidator
{
    public ValueTask<LocalRecipient> ResolveLocalRecipientAsync(Mailbox recipient, CancellationToken ct) =>
        ValueTask.FromResult(LocalRecipient.As(recipient));

    public ValueTask<bool> IsLocalDomainAsync(string asciiDomain, CancellationToken ct) => ValueTask.FromResult(false);
}
