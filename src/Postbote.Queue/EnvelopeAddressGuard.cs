using Postbote.Core.Addressing;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

/// <summary>
/// The last line of defence before an envelope reaches the spool, whatever entry point built it (SMTP, submit.sock,
/// sendmail into the spool, a bounce): the sender and every recipient must be RFC 5321 §4.1.2 mailboxes (RFC 6531
/// UTF-8 allowed; the sender may be the null path, stored empty) and contain no CR, LF or NUL, which would otherwise
/// reach an outbound MAIL FROM/RCPT TO line, a Return-Path: field or a DSN as injected text.
/// </summary>
public static class EnvelopeAddressGuard
{
    /// <summary>True for the stored form of a reverse path: empty (the null sender) or a mailbox.</summary>
    public static bool IsValidReversePath(string? path) => path is not null && (path.Length == 0 || IsValidMailbox(path));

    /// <summary>True for a mailbox (Local-part "@" Domain / address-literal) within RFC 5321 §4.5.3.1's lengths.</summary>
    public static bool IsValidMailbox(string? address) =>
        !string.IsNullOrEmpty(address) && !HasLineBreakOrNul(address) && address.Length <= MailboxParser.MaxPath - 2
        && MailboxParser.TryParseMailbox(address, allowUtf8: true, out _);

    /// <summary>Throws <see cref="EnvelopeAddressException"/> naming the first bad address (escaped) of the envelope.</summary>
    public static void EnsureValid(QueuedMessage envelope)
    {
        if (!IsValidReversePath(envelope.ReversePath))
            throw new EnvelopeAddressException($"envelope sender <{Escape(envelope.ReversePath)}> is not an RFC 5321 path");
        foreach (var r in envelope.Recipients)
        {
            if (!IsValidMailbox(r.Address))
                throw new EnvelopeAddressException($"envelope recipient <{Escape(r.Address)}> is not an RFC 5321 mailbox");
            if (r.OriginalAddress is { } given && HasLineBreakOrNul(given))
                throw new EnvelopeAddressException($"original recipient <{Escape(given)}> contains CR, LF or NUL");
        }
    }

    private static bool HasLineBreakOrNul(string text) => text.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;

    private static string Escape(string? text)
    {
        if (text is null) return "";
        var sb = new System.Text.StringBuilder(Math.Min(text.Length, 300));
        foreach (char c in text.Length > 300 ? text[..300] : text)
            sb.Append(c < 32 || c == 127 ? $"\\x{(int)c:x2}" : c);
        return sb.ToString();
    }
}
