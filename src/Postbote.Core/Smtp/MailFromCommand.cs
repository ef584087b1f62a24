using Postbote.Core.Addressing;
using Postbote.Core.Envelope;

namespace Postbote.Core.Smtp;

/// <summary>A parsed "MAIL FROM:&lt;reverse-path&gt; [params]" (RFC 5321 §4.1.1.2) with the ESMTP parameters Postbote offers.</summary>
public sealed record MailFromCommand(
    Mailbox? ReversePath,
    long? DeclaredSize,
    BodyType Body,
    bool SmtpUtf8,
    DsnReturn Return,
    string? EnvelopeId,
    string? Auth)
{
    /// <summary>The reverse path as it goes into the envelope: "" for the null sender.</summary>
    public string ReversePathText => ReversePath?.ToString() ?? "";

    /// <summary>Parses the argument of MAIL (everything after "MAIL "). The reply is null on success.</summary>
    public static SmtpReply? TryParse(ReadOnlySpan<char> argument, out MailFromCommand? command)
    {
        command = null;
        if (!argument.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase)) return SmtpReplies.SyntaxMailFrom;
        var afterColon = argument[5..];
        // SMTPUTF8 must be known before the address is parsed (RFC 6531 §3.4): look ahead for it.
        bool utf8 = ContainsKeyword(afterColon, "SMTPUTF8");
        var result = MailboxParser.TryParsePath(afterColon, allowNull: true, allowUtf8: utf8, out var mailbox, out var rest);
        if (result == PathParseResult.TooLong) return SmtpReplies.PathTooLong;
        if (result == PathParseResult.Invalid) return utf8 || Ascii(afterColon) ? SmtpReplies.BadSenderSyntax : SmtpReplies.NeedsSmtpUtf8;

        long? size = null;
        var body = BodyType.SevenBit;
        var ret = DsnReturn.Unspecified;
        string? envid = null, auth = null;
        bool seenBody = false;
        foreach (var (key, value) in EsmtpParameters.Split(rest))
        {
            if (key.Equals("SIZE", StringComparison.OrdinalIgnoreCase))
            {
                if (size is not null || !long.TryParse(value, System.Globalization.NumberStyles.None, null, out long s)) return SmtpReplies.BadParameterValue("SIZE");
                size = s;
            }
            else if (key.Equals("BODY", StringComparison.OrdinalIgnoreCase))
            {
                if (seenBody) return SmtpReplies.BadParameterValue("BODY");
                seenBody = true;
                if (value.Equals("7BIT", StringComparison.OrdinalIgnoreCase)) body = BodyType.SevenBit;
                else if (value.Equals("8BITMIME", StringComparison.OrdinalIgnoreCase)) body = BodyType.EightBitMime;
                else if (value.Equals("BINARYMIME", StringComparison.OrdinalIgnoreCase)) body = BodyType.BinaryMime;
                else return SmtpReplies.BadParameterValue("BODY");
            }
            else if (key.Equals("SMTPUTF8", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Length != 0) return SmtpReplies.BadParameterValue("SMTPUTF8");
            }
            else if (key.Equals("RET", StringComparison.OrdinalIgnoreCase))
            {
                if (ret != DsnReturn.Unspecified) return SmtpReplies.BadParameterValue("RET");
                if (value.Equals("FULL", StringComparison.OrdinalIgnoreCase)) ret = DsnReturn.Full;
                else if (value.Equals("HDRS", StringComparison.OrdinalIgnoreCase)) ret = DsnReturn.Headers;
                else return SmtpReplies.BadParameterValue("RET");
            }
            else if (key.Equals("ENVID", StringComparison.OrdinalIgnoreCase))
            {
                // RFC 3461 §4.4: at most 100 characters of printable US-ASCII once decoded (it goes into DSNs).
                envid = XText.Decode(value);
                if (envid is null || envid.Length > 100 || !XText.IsPrintableAscii(envid)) return SmtpReplies.BadParameterValue("ENVID");
            }
            else if (key.Equals("AUTH", StringComparison.OrdinalIgnoreCase))
            {
                // RFC 4954 §5: accepted; the value is informational ("<>" when unknown).
                auth = XText.Decode(value) ?? "<>";
            }
            else return SmtpReplies.UnknownParameter;
        }
        command = new MailFromCommand(result == PathParseResult.Null ? null : mailbox, size, body, utf8, ret, envid, auth);
        return null;
    }

    private static bool Ascii(ReadOnlySpan<char> s) => System.Text.Ascii.IsValid(s);

    internal static bool ContainsKeyword(ReadOnlySpan<char> text, string keyword)
    {
        foreach (var range in text.Split(' '))
        {
            if (text[range].Equals(keyword, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
