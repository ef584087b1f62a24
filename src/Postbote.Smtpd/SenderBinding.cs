using Postbote.Core.Smtp;

namespace Postbote.Smtpd;

/// <summary>
/// The one rule binding a message's author fields to whoever submits it, used by the submission listeners (the
/// authenticated user) and by local submission (the caller's login, when not root): exactly one From:, at most one
/// Sender:, every mailbox in them owned, and a header section that cannot be judged refused (fail closed).
/// </summary>
public static class SenderBinding
{
    /// <summary>Judges the header fields <paramref name="headers"/> kept; <paramref name="owns"/> says whether the identity owns an address.</summary>
    /// <returns>The verdict and, for a refusal over an address, that address.</returns>
    public static async ValueTask<(SenderBindingOutcome Outcome, string? Address)> CheckAsync(HeaderSectionParser headers,
        Func<string, CancellationToken, ValueTask<bool>> owns, CancellationToken ct)
    {
        if (headers.From.Count > 1) return (SenderBindingOutcome.SeveralFromFields, null);
        if (headers.Sender.Count > 1) return (SenderBindingOutcome.SeveralSenderFields, null);
        if (headers.From.IsTooLong || headers.Sender.IsTooLong || headers.AuthorFieldAfterEnd) return (SenderBindingOutcome.Unjudgeable, null);
        if (headers.From.Count == 1)
        {
            // RFC 5322 §3.6.2: several authors are allowed (with a Sender:); each must be the submitter's.
            var authors = HeaderAddresses.Extract(headers.From.Value!);
            if (authors.Count == 0) return (SenderBindingOutcome.Unjudgeable, null);
            foreach (var address in authors)
                if (!await owns(address, ct).ConfigureAwait(false)) return (SenderBindingOutcome.FromNotOwned, address);
        }
        if (headers.Sender.Count == 1)
        {
            var sender = HeaderAddresses.Extract(headers.Sender.Value!);
            if (sender.Count != 1) return (SenderBindingOutcome.Unjudgeable, null); // sender = mailbox (§3.6.2)
            if (!await owns(sender[0], ct).ConfigureAwait(false)) return (SenderBindingOutcome.SenderNotOwned, sender[0]);
        }
        return (SenderBindingOutcome.Owned, null);
    }

    /// <summary>
    /// What a local login (a submit.sock or sendmail caller other than root) owns: the null sender, and its own name
    /// at the server's hostname or at a local domain (<c>www-data@mx.example.org</c>), the address sendmail gives it by default.
    /// </summary>
    public static async ValueTask<bool> LocalLoginOwnsAsync(string login, string address,
        Func<string, CancellationToken, ValueTask<bool>> isLocalDomain, CancellationToken ct)
    {
        if (address.Length == 0) return true;
        int at = address.LastIndexOf('@');
        if (at <= 0 || !string.Equals(address[..at], login, StringComparison.OrdinalIgnoreCase)) return false;
        return await isLocalDomain(address[(at + 1)..], ct).ConfigureAwait(false);
    }

    /// <summary>The SMTP reply for a refusal (null for <see cref="SenderBindingOutcome.Owned"/>).</summary>
    public static SmtpReply? ReplyFor(SenderBindingOutcome outcome) => outcome switch
    {
        SenderBindingOutcome.Owned => null,
        SenderBindingOutcome.SeveralFromFields => SmtpReplies.SeveralFromFields,
        SenderBindingOutcome.SeveralSenderFields => SmtpReplies.SeveralSenderFields,
        SenderBindingOutcome.FromNotOwned => SmtpReplies.FromHeaderNotOwned,
        SenderBindingOutcome.SenderNotOwned => SmtpReplies.SenderHeaderNotOwned,
        _ => SmtpReplies.AuthorFieldsUnjudgeable,
    };
}
