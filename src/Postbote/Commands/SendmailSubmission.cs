using Postbote.Core.Addressing;

namespace Postbote.Commands;

/// <summary>
/// A message read by sendmail(8), checked and ready to hand over: the envelope sender (empty for the null sender),
/// the recipients (arguments, plus To/Cc/Bcc with -t), and the bytes to queue (CRLF, with From, Date and Message-ID).
/// Shared by `postbote sendmail` and the Native AOT `postbote-sendmail`, so both accept and refuse exactly the same input.
/// </summary>
public sealed record SendmailSubmission(string Sender, IReadOnlyList<string> Recipients, byte[] Bytes)
{
    /// <summary>
    /// Reads the message from <paramref name="stdin"/> and prepares it. On a refusal the reason is written to stderr
    /// (prefixed with <paramref name="program"/>) and the sysexits code returned with a null submission.
    /// </summary>
    /// <param name="user">The caller's login name: the default sender is user@hostname, as Postfix's myorigin does.</param>
    public static async Task<(SendmailSubmission? Submission, int Exit)> ReadAsync(SendmailOptions o, string hostname, string user,
        long sizeLimit, Stream stdin, string program, CancellationToken ct)
    {
        string sender = o.Sender ?? $"{user}@{hostname}";
        if (sender is "<>" or "") sender = "";
        sender = sender.Trim('<', '>');
        if (sender.Length > 0 && !MailboxParser.TryParseMailbox(sender, allowUtf8: true, out _))
            return await RefuseAsync(program, $"bad sender address '{sender}'", ExitCodes.DataError);

        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, ct).ConfigureAwait(false);
        SendmailMessage message;
        try { message = SendmailMessage.Parse(buffer.ToArray(), o.IgnoreDots, o.ExtractRecipients); }
        catch (FormatException e) { return await RefuseAsync(program, e.Message, ExitCodes.DataError); }
        var recipients = o.Recipients.Concat(message.HeaderRecipients).Select(r => r.Trim().Trim('<', '>'))
            .Where(r => r.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (recipients.Count == 0)
            return await RefuseAsync(program, "no recipients (give them as arguments, or use -t with To/Cc/Bcc headers)", ExitCodes.Usage);
        foreach (var r in recipients)
            if (!MailboxParser.TryParseMailbox(r, allowUtf8: true, out _))
                return await RefuseAsync(program, $"bad recipient address '{r}'", ExitCodes.DataError);
        var bytes = message.ToBytes(sender.Length > 0 ? sender : $"{user}@{hostname}", o.FullName, hostname, DateTimeOffset.Now);
        if (bytes.LongLength > sizeLimit)
            return await RefuseAsync(program, $"message too big ({bytes.Length} bytes; Limits:MessageSizeBytes is {sizeLimit})", ExitCodes.DataError);
        return (new SendmailSubmission(sender, recipients, bytes), ExitCodes.Ok);
    }

    private static async Task<(SendmailSubmission?, int)> RefuseAsync(string program, string reason, int exit)
    {
        await Console.Error.WriteLineAsync(program + ": " + reason).ConfigureAwait(false);
        return (null, exit);
    }
}
