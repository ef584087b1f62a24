using Postbote.Core.Addressing;
using Postbote.Core.Envelope;

namespace Postbote.Core.Smtp;

/// <summary>A parsed "RCPT TO:&lt;forward-path&gt; [params]" (RFC 5321 §4.1.1.3) with DSN parameters (RFC 3461 §4).</summary>
public sealed record RcptToCommand(Mailbox Recipient, DsnNotify Notify, string? OriginalRecipient, bool IsBarePostmaster)
{
    /// <summary>
    /// Parses the argument of RCPT. "&lt;postmaster&gt;" without a domain is accepted and becomes
    /// postmaster@<paramref name="postmasterDomain"/>. The reply is null on success.
    /// </summary>
    public static SmtpReply? TryParse(ReadOnlySpan<char> argument, bool smtpUtf8, string postmasterDomain, out RcptToCommand? command)
    {
        command = null;
        if (!argument.StartsWith("TO:", StringComparison.OrdinalIgnoreCase)) return SmtpReplies.SyntaxRcptTo;
        var afterColon = argument[3..].TrimStart(' ');
        Mailbox? mailbox;
        ReadOnlySpan<char> rest;
        bool barePostmaster = false;
        if (afterColon.StartsWith("<postmaster>", StringComparison.OrdinalIgnoreCase))
        {
            mailbox = Mailbox.Postmaster(postmasterDomain);
            rest = afterColon["<postmaster>".Length..];
            barePostmaster = true;
            if (!rest.IsEmpty && rest[0] != ' ') return SmtpReplies.BadRecipientSyntax;
        }
        else
        {
            var result = MailboxParser.TryParsePath(afterColon, allowNull: false, allowUtf8: smtpUtf8, out mailbox, out rest);
            if (result == PathParseResult.TooLong) return SmtpReplies.PathTooLong;
            if (result != PathParseResult.Ok)
                return !smtpUtf8 && !System.Text.Ascii.IsValid(afterColon) ? SmtpReplies.NeedsSmtpUtf8 : SmtpReplies.BadRecipientSyntax;
        }

        var notify = DsnNotify.None;
        string? orcpt = null;
        foreach (var (key, value) in EsmtpParameters.Split(rest))
        {
            if (key.Equals("NOTIFY", StringComparison.OrdinalIgnoreCase))
            {
                if (notify != DsnNotify.None) return SmtpReplies.BadParameterValue("NOTIFY");
                foreach (var range in value.Split(','))
                {
                    var item = value[range];
                    var flag = item.Equals("NEVER", StringComparison.OrdinalIgnoreCase) ? DsnNotify.Never
                        : item.Equals("SUCCESS", StringComparison.OrdinalIgnoreCase) ? DsnNotify.Success
                        : item.Equals("FAILURE", StringComparison.OrdinalIgnoreCase) ? DsnNotify.Failure
                        : item.Equals("DELAY", StringComparison.OrdinalIgnoreCase) ? DsnNotify.Delay
                        : (DsnNotify)(-1);
                    if ((int)flag == -1) return SmtpReplies.BadParameterValue("NOTIFY");
                    notify |= flag;
                }
                // RFC 3461 §4.1: NEVER must not be combined with anything else.
                if (notify.HasFlag(DsnNotify.Never) && notify != DsnNotify.Never) return SmtpReplies.BadParameterValue("NOTIFY");
            }
            else if (key.Equals("ORCPT", StringComparison.OrdinalIgnoreCase))
            {
                int semi = value.IndexOf(';');
                if (orcpt is not null || semi <= 0) return SmtpReplies.BadParameterValue("ORCPT");
                var decoded = XText.Decode(value[(semi + 1)..]);
                if (decoded is null) return SmtpReplies.BadParameterValue("ORCPT");
                orcpt = string.Concat(value[..semi], ";", decoded);
            }
            else return SmtpReplies.UnknownParameter;
        }
        command = new RcptToCommand(mailbox!, notify, orcpt, barePostmaster);
        return null;
    }
}
