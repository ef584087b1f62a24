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
                if (orcpt is not null) return SmtpReplies.BadParameterValue("ORCPT");
                orcpt = ParseOriginalRecipient(value, smtpUtf8);
                if (orcpt is null) return SmtpReplies.BadParameterValue("ORCPT");
            }
            else return SmtpReplies.UnknownParameter;
        }
        command = new RcptToCommand(mailbox!, notify, orcpt, barePostmaster);
        return null;
    }

    /// <summary>
    /// ORCPT=addr-type;value (RFC 3461 §4.2) as "addr-type;address", or null when refused. addr-type is an atom.
    /// "utf-8" (RFC 6533 §3) is not xtext: utf-8-addr-xtext (ASCII, non-ASCII as "\x{HEX}") or, with SMTPUTF8,
    /// utf-8-addr-unitext (UTF-8 as is); kept as given. Every other type (rfc822, x400, ...) is xtext, and its decoded
    /// address must be printable US-ASCII: it is written into the delivery-status part of DSNs.
    /// </summary>
    private static string? ParseOriginalRecipient(ReadOnlySpan<char> value, bool smtpUtf8)
    {
        int semi = value.IndexOf(';');
        if (semi <= 0) return null;
        var type = value[..semi];
        var address = value[(semi + 1)..];
        if (!IsAtom(type) || address.IsEmpty) return null;
        if (type.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return IsUtf8AddressText(address, smtpUtf8) ? value.ToString() : null;
        var decoded = XText.Decode(address);
        return decoded is not null && XText.IsPrintableAscii(decoded) ? string.Concat(type, ";", decoded) : null;
    }

    /// <summary>RFC 5321 §4.1.2 atom: one or more atext characters.</summary>
    private static bool IsAtom(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !"!#$%&'*+-/=?^_`{|}~".Contains(c)) return false;
        }
        return !text.IsEmpty;
    }

    /// <summary>
    /// RFC 6533 §3: QCHAR (%x21-2A / %x2C-3C / %x3E-7E) or EmbeddedUnicodeChar "\x{HEX}" naming a character that is
    /// not a control; with SMTPUTF8 also non-ASCII characters as they are (utf-8-addr-unitext), controls excepted.
    /// </summary>
    private static bool IsUtf8AddressText(ReadOnlySpan<char> text, bool smtpUtf8)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] == 'x')
            {
                int close = text[i..].IndexOf('}');
                if (close < 4 || text[i + 2] != '{' || close > 9) return false;
                if (!int.TryParse(text[(i + 3)..(i + close)], System.Globalization.NumberStyles.AllowHexSpecifier, null, out int point)) return false;
                if (point < 0x20 || point is >= 0x7F and <= 0x9F || point is >= 0xD800 and <= 0xDFFF || point > 0x10FFFF) return false;
                i += close;
            }
            else if (c > 0x7F)
            {
                if (!smtpUtf8 || char.IsControl(c)) return false;
            }
            else if (c is < '!' or '+' or '=' or > '~') return false;
        }
        return true;
    }
}
