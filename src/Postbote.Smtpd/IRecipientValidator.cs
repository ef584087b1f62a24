using Postbote.Core.Addressing;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd;

/// <summary>
/// Checks a recipient in a local domain at RCPT time, so the server never accepts mail it would have to
/// bounce later (no backscatter). Returns null to accept, or the reply to refuse with.
/// </summary>
public interface IRecipientValidator
{
    ValueTask<SmtpReply?> CheckLocalRecipientAsync(Mailbox recipient, CancellationToken ct);

    /// <summary>True for a domain made local at run time (e.g. `postbote domain add`), beyond the configured ones.</summary>
    ValueTask<bool> IsLocalDomainAsync(string asciiDomain, CancellationToken ct);

    /// <summary>
    /// The final mailboxes of an accepted local recipient (aliases and plus-addressing resolved at accept time, so
    /// the queue holds what will be delivered and `queue show` tells the truth).
    /// </summary>
    ValueTask<IReadOnlyList<string>> ExpandAsync(Mailbox recipient, CancellationToken ct);
}

/// <summary>Accepts every local part of a local domain (used when no directory is configured).</summary>
public sealed class AcceptAllLocalRecipients : IRecipientValidator
{
    public ValueTask<SmtpReply?> CheckLocalRecipientAsync(Mailbox recipient, CancellationToken ct) => ValueTask.FromResult<SmtpReply?>(null);

    public ValueTask<bool> IsLocalDomainAsync(string asciiDomain, CancellationToken ct) => ValueTask.FromResult(false);

    public ValueTask<IReadOnlyList<string>> ExpandAsync(Mailbox recipient, CancellationToken ct) =>
        ValueTask.FromResult<IReadOnlyList<string>>(new[] { recipient.ToString() });
}
