using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Admin;
using Postbote.Configuration;
using Postbote.Core.Addressing;
using Postbote.Queue;

namespace Postbote.Commands;

/// <summary>
/// `postbote sendmail`: the sendmail(8) interface. The message goes to the running server through its local
/// submission socket (DATA/submit.sock: no password; the kernel tells the server the caller's uid, which the
/// Received header records, protocol LOCAL); when the server is stopped it is queued straight into the spool
/// (the same Received header), for the next start to deliver, so no caller loses mail. Exit codes are sysexits.h.
/// Parsed by hand rather than by Spectre, since sendmail's options (-oi, -odi, -fADDR) are not GNU-style.
/// </summary>
public static class SendmailCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, Stream stdin, Stream stdout, CancellationToken ct)
    {
        SendmailOptions o;
        try { o = SendmailOptions.Parse(args); }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync("postbote sendmail: " + e.Message + "\n" + SendmailOptions.Usage);
            return ExitCodes.Usage;
        }
        if (o.Help)
        {
            Console.WriteLine(SendmailOptions.Usage);
            return ExitCodes.Ok;
        }
        if (ConfigSettings.LoadOrReport(o.ConfigFile, "postbote sendmail") is not { } config) return ExitCodes.Config;
        if (o.SmtpOnStdio) return await SendmailSmtpSession.RunAsync(config, o, stdin, stdout, ct);

        string user = PeerCredentials.LookupUserName(PeerCredentials.EffectiveUid);
        string sender = o.Sender ?? $"{user}@{config.Server.Hostname}";
        if (sender is "<>" or "") sender = "";
        sender = sender.Trim('<', '>');
        if (sender.Length > 0 && !MailboxParser.TryParseMailbox(sender, allowUtf8: true, out _))
        {
            await Console.Error.WriteLineAsync($"postbote sendmail: bad sender address '{sender}'");
            return ExitCodes.DataError;
        }

        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, ct);
        SendmailMessage message;
        try { message = SendmailMessage.Parse(buffer.ToArray(), o.IgnoreDots, o.ExtractRecipients); }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync("postbote sendmail: " + e.Message);
            return ExitCodes.DataError;
        }
        var recipients = o.Recipients.Concat(message.HeaderRecipients).Select(r => r.Trim().Trim('<', '>'))
            .Where(r => r.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (recipients.Count == 0)
        {
            await Console.Error.WriteLineAsync("postbote sendmail: no recipients (give them as arguments, or use -t with To/Cc/Bcc headers)");
            return ExitCodes.Usage;
        }
        foreach (var r in recipients)
        {
            if (MailboxParser.TryParseMailbox(r, allowUtf8: true, out _)) continue;
            await Console.Error.WriteLineAsync($"postbote sendmail: bad recipient address '{r}'");
            return ExitCodes.DataError;
        }
        var bytes = message.ToBytes(sender.Length > 0 ? sender : $"{user}@{config.Server.Hostname}", o.FullName, config.Server.Hostname, DateTimeOffset.Now);
        if (bytes.LongLength > config.Server.Limits.MessageSizeBytes)
        {
            await Console.Error.WriteLineAsync($"postbote sendmail: message too big ({bytes.Length} bytes; Limits:MessageSizeBytes is {config.Server.Limits.MessageSizeBytes})");
            return ExitCodes.DataError;
        }
        return await QueueAsync(config, sender, recipients, bytes, o.Verbose, ct);
    }

    /// <summary>Queues a prepared message through the server, or into the spool when it is stopped.</summary>
    public static async Task<int> QueueAsync(ResolvedConfiguration config, string sender, IReadOnlyList<string> recipients, byte[] bytes,
        bool verbose, CancellationToken ct)
    {
        AdminClient? client;
        try { client = await AdminClient.TryConnectAsync(AdminSockets.SubmitPath(config), ct); }
        catch (UnauthorizedAccessException e)
        {
            await Console.Error.WriteLineAsync("postbote sendmail: " + e.Message);
            return ExitCodes.TempFail;
        }
        if (client is not null)
        {
            using (client)
            {
                try
                {
                    var id = await client.SubmitAsync(sender, recipients, bytes, ct);
                    if (verbose) await Console.Error.WriteLineAsync($"postbote sendmail: queued as {id} by the running server ({recipients.Count} recipient(s))");
                    return ExitCodes.Ok;
                }
                catch (AdminException e)
                {
                    await Console.Error.WriteLineAsync("postbote sendmail: the server refused the message: " + e.Message);
                    return e.Message.Contains(": 4", StringComparison.Ordinal) ? ExitCodes.DataError : ExitCodes.TempFail;
                }
            }
        }
        try
        {
            var spool = new Spool(config.QueueDirectory, TimeProvider.System, NullLogger<Spool>.Instance);
            uint uid = PeerCredentials.EffectiveUid;
            using var directory = await Postbote.Hosting.ServerHost.OpenDirectoryAsync(config);
            var expanded = await LocalSubmission.ExpandAsync(recipients, config, directory, ct);
            var id = await LocalSubmission.EnqueueAsync(spool, config.Server.Hostname, sender, expanded, bytes, uid,
                PeerCredentials.LookupUserName(uid), DateTimeOffset.Now, ct);
            if (verbose) await Console.Error.WriteLineAsync($"postbote sendmail: the server is not running; queued as {id} in {config.QueueDirectory} for its next start");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            await Console.Error.WriteLineAsync($"postbote sendmail: the server is not running and the spool {config.QueueDirectory} is not writable by this user ({e.Message}); try again later");
            return ExitCodes.TempFail;
        }
    }
}
