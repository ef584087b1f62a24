using Postbote.Core.Addressing;
using Postbote.Core.Smtp;
using Postbote.Directory;

namespace Postbote.Smtpd;

/// <summary>
/// Checks local recipients against the directory at RCPT time: unknown users get 550 5.1.1, alias loops
/// 550 5.4.6. On a fresh install with no users and no aliases at all, every local part is accepted (so the
/// embedded defaults take mail for localhost at once); the first user or alias switches the check on.
/// </summary>
public sealed class DirectoryRecipientValidator(IMailDirectory directory) : IRecipientValidator
{
    public async ValueTask<LocalRecipient> ResolveLocalRecipientAsync(Mailbox recipient, CancellationToken ct)
    {
        var result = await directory.ResolveRecipientAsync(recipient.ToString(), ct).ConfigureAwait(false);
        switch (result.Kind)
        {
            case ResolutionKind.Resolved when result.Mailboxes.Count > 0:
                return new LocalRecipient(null, result.Mailboxes.Select(m => m.Address).Distinct(StringComparer.OrdinalIgnoreCase).ToList());
            case ResolutionKind.Resolved:
                return LocalRecipient.As(recipient);
            case ResolutionKind.AliasLoop:
                return LocalRecipient.Refused(new SmtpReply(550, "5.4.6", "Alias expansion loop, mail refused"));
            case ResolutionKind.InvalidAddress:
                return LocalRecipient.Refused(SmtpReplies.BadRecipientSyntax);
            default:
                return await directory.HasRecipientsAsync(ct).ConfigureAwait(false) ? LocalRecipient.Refused(SmtpReplies.UserUnknown) : LocalRecipient.As(recipient);
        }
    }

    public async ValueTask<bool> IsLocalDomainAsync(string asciiDomain, CancellationToken ct) =>
        await directory.IsLocalDomainAsync(asciiDomain, ct).ConfigureAwait(false);
}
