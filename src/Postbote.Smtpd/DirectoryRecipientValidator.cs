using Microsoft.Extensions.Logging;
using Postbote.Core.Addressing;
using Postbote.Core.Smtp;
using Postbote.Directory;

namespace Postbote.Smtpd;

/// <summary>
/// Checks local recipients against the directory at RCPT time: unknown users get 550 5.1.1, alias loops
/// 550 5.4.6, an alias expansion over its limits 451 4.3.0, a recipient whose every mailbox is full 452 4.2.2 (when a
/// <see cref="IMailboxQuota"/> is given). On a fresh install with no users and no aliases at all, every local part is
/// accepted (so the embedded defaults take mail for localhost at once); the first user or alias switches the check on.
/// </summary>
public sealed partial class DirectoryRecipientValidator(IMailDirectory directory, IMailboxQuota? quota = null, ILogger? logger = null) : IRecipientValidator
{
    public ValueTask<LocalRecipient> ResolveLocalRecipientAsync(Mailbox recipient, CancellationToken ct) =>
        ResolveLocalRecipientAsync(recipient, 0, ct);

    public async ValueTask<LocalRecipient> ResolveLocalRecipientAsync(Mailbox recipient, long declaredSize, CancellationToken ct)
    {
        var result = await directory.ResolveRecipientAsync(recipient.ToString(), ct).ConfigureAwait(false);
        switch (result.Kind)
        {
            case ResolutionKind.Resolved when result.Mailboxes.Count > 0:
                if (quota is not null && await AllFullAsync(result.Mailboxes, declaredSize, ct).ConfigureAwait(false))
                {
                    if (logger is not null) LogMailboxFull(logger, recipient.ToString());
                    return LocalRecipient.Refused(SmtpReplies.MailboxFull);
                }
                return new LocalRecipient(null, result.Mailboxes.Select(m => m.Address).Distinct(StringComparer.OrdinalIgnoreCase).ToList())
                {
                    Forwarded = result.Mailboxes.Any(m => m.Kind == MailboxKind.External)
                        ? result.Mailboxes.Where(m => m.Kind == MailboxKind.External).Select(m => m.Address).ToList()
                        : null,
                };
            case ResolutionKind.Resolved:
                return LocalRecipient.As(recipient);
            case ResolutionKind.AliasLoop:
                if (logger is not null) LogAliasRefused(logger, recipient.ToString(), result.Detail ?? "alias loop");
                return LocalRecipient.Refused(new SmtpReply(550, "5.4.6", "Alias expansion loop, mail refused"));
            case ResolutionKind.ExpansionLimit:
                if (logger is not null) LogAliasRefused(logger, recipient.ToString(), result.Detail ?? "alias expansion limit");
                return LocalRecipient.Refused(SmtpReplies.AliasExpansionLimit);
            case ResolutionKind.InvalidAddress:
                return LocalRecipient.Refused(SmtpReplies.BadRecipientSyntax);
            default:
                return await directory.HasRecipientsAsync(ct).ConfigureAwait(false) ? LocalRecipient.Refused(SmtpReplies.UserUnknown) : LocalRecipient.As(recipient);
        }
    }

    public async ValueTask<bool> IsLocalDomainAsync(string asciiDomain, CancellationToken ct) =>
        await directory.IsLocalDomainAsync(asciiDomain, ct).ConfigureAwait(false);

    /// <summary>
    /// True when every mailbox is a local user's and each is full: one full member of a list does not refuse the
    /// list (its delivery defers or bounces that member alone).
    /// </summary>
    private async ValueTask<bool> AllFullAsync(IReadOnlyList<ResolvedMailbox> mailboxes, long declaredSize, CancellationToken ct)
    {
        foreach (var m in mailboxes)
        {
            if (m.Kind != MailboxKind.LocalUser || !await quota!.IsFullAsync(m.Address, declaredSize, ct).ConfigureAwait(false)) return false;
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: RCPT <{Recipient}>: {Detail}")]
    private static partial void LogAliasRefused(ILogger logger, string recipient, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "reject: RCPT <{Recipient}>: mailbox full (quota checked at RCPT)")]
    private static partial void LogMailboxFull(ILogger logger, string recipient);
}
