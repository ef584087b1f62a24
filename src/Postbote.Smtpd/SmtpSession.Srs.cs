using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;
using Postbote.MailAuth.Srs;

namespace Postbote.Smtpd;

/// <summary>
/// The Sender Rewriting Scheme in the session (Srs:*, off by default): RCPT to an SRS address of ours is a bounce to
/// forwarded mail, decoded back to the original sender or refused when forged or expired; at commit, mail forwarded
/// off-site through an alias from a foreign sender gets an SRS0 (or SRS1) sender for those recipients only.
/// </summary>
public sealed partial class SmtpSession
{
    /// <summary>True when RCPT names an address SRS must decode (our SRS domain, local part SRS0=/SRS1=); false when SRS is off.</summary>
    private bool IsSrsRecipient(Core.Addressing.Mailbox mailbox) =>
        _services.Srs is { } srs && srs.IsSrsDomain(mailbox.AsciiDomain) && SrsAddress.LooksLikeSrs(mailbox.LocalPart);

    /// <summary>Accepts RCPT to a genuine SRS address of ours as the decoded original sender, forwarded; refuses a forged or expired one.</summary>
    private SmtpReply SrsRecipient(RcptToCommand rcpt)
    {
        var mailbox = rcpt.Recipient;
        var reversal = _services.Srs!.Reverse(mailbox.LocalPart);
        if (reversal.Status != SrsStatus.Valid)
        {
            var reply = reversal.Status switch
            {
                SrsStatus.Expired => new SmtpReply(550, "5.7.1", $"<{mailbox}>: SRS address expired, the forwarded message is too old for a bounce"),
                SrsStatus.BadHash => new SmtpReply(550, "5.7.1", $"<{mailbox}>: SRS address with an invalid signature, not one of ours"),
                _ => new SmtpReply(550, "5.7.1", $"<{mailbox}>: malformed SRS address"),
            };
            LogSrsRejected(ClientAddress, mailbox.ToString(), reversal.Status.ToString());
            return reply;
        }
        _tx!.Recipients.Add(rcpt);
        _tx.Mailboxes.Add(new[] { reversal.Address! });
        (_tx.Forwarded ??= new(StringComparer.OrdinalIgnoreCase)).Add(reversal.Address!);
        LogSrsDecoded(ClientAddress, mailbox.ToString(), reversal.Address!);
        return SmtpReplies.RecipientOk;
    }

    /// <summary>Notes the forwarded mailboxes of one accepted local recipient.</summary>
    private static void NoteForwarded(SmtpTransaction tx, IReadOnlyList<string>? forwarded)
    {
        if (forwarded is null) return;
        var set = tx.Forwarded ??= new(StringComparer.OrdinalIgnoreCase);
        foreach (var f in forwarded) set.Add(f);
    }

    /// <summary>
    /// The sender forwarded recipients get: the SRS address of a foreign sender when SRS is on; null (keep the
    /// message's sender) for the null sender, a sender of one of our domains, or one SRS cannot encode.
    /// </summary>
    private async ValueTask<string?> ForwardSenderAsync(SmtpTransaction tx, string queueId)
    {
        if (_services.Srs is not { } srs || tx.Forwarded is null || tx.Mail.ReversePath is not { } sender) return null;
        if (sender.IsAddressLiteral || srs.IsSrsDomain(sender.AsciiDomain) || _options.IsLocalDomain(sender.AsciiDomain)
            || await _services.Recipients.IsLocalDomainAsync(sender.AsciiDomain, CancellationToken.None).ConfigureAwait(false))
            return null;
        var rewritten = srs.Forward(sender.LocalPart, sender.Domain);
        LogSrsForward(queueId, sender.ToString(), rewritten ?? "(unchanged: cannot be encoded)", tx.Forwarded.Count);
        return rewritten;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "reject: RCPT from [{Client}]: <{Recipient}>: SRS address refused ({Why})")]
    private partial void LogSrsRejected(System.Net.IPAddress client, string recipient, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "srs: RCPT from [{Client}]: <{Recipient}> decoded to <{Original}>")]
    private partial void LogSrsDecoded(System.Net.IPAddress client, string recipient, string original);

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: srs: from=<{Sender}> rewritten to <{Rewritten}> for {Count} forwarded recipient(s)")]
    private partial void LogSrsForward(string queueId, string sender, string rewritten, int count);
}
