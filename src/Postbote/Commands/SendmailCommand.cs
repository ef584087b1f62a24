using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Admin;
using Postbote.Configuration;
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
        if (o.ListQueue)
        {
            await Console.Error.WriteLineAsync("postbote sendmail: -bp: use mailq (postbote-sendmail) or `postbote queue list`");
            return ExitCodes.Usage;
        }
        if (ConfigSettings.LoadOrReport(o.ConfigFile, "postbote sendmail") is not { } config) return ExitCodes.Config;
        if (o.SmtpOnStdio) return await SendmailSmtpSession.RunAsync(config, o, stdin, stdout, ct);

        string user = PeerCredentials.LookupUserName(PeerCredentials.EffectiveUid);
        var (submission, exit) = await SendmailSubmission.ReadAsync(o, config.Server.Hostname, user, config.Server.Limits.MessageSizeBytes,
            stdin, "postbote sendmail", ct);
        if (submission is null) return exit;
        return await QueueAsync(config, submission.Sender, submission.Recipients, submission.Bytes, o.Verbose, ct);
    }

    /// <summary>Queues a prepared message through the server, or into the spool when it is stopped; says what happened on stderr.</summary>
    public static async Task<int> QueueAsync(ResolvedConfiguration config, string sender, IReadOnlyList<string> recipients, byte[] bytes,
        bool verbose, CancellationToken ct)
    {
        var (exit, id, text) = await HandOverAsync(config, sender, recipients, bytes, ct);
        if (exit != ExitCodes.Ok) await Console.Error.WriteLineAsync("postbote sendmail: " + text);
        else if (verbose) await Console.Error.WriteLineAsync($"postbote sendmail: queued as {id} {text} ({recipients.Count} recipient(s))");
        return exit;
    }

    /// <summary>
    /// Queues a prepared message through the server's submit.sock, or straight into the spool when it is stopped.
    /// Returns the sysexits code, the queue id when queued, and a text: where it was queued, or why not (an SMTP reply when refused).
    /// </summary>
    public static async Task<(int Exit, string? QueueId, string Text)> HandOverAsync(ResolvedConfiguration config, string sender,
        IReadOnlyList<string> recipients, byte[] bytes, CancellationToken ct)
    {
        LocalSocketClient? client;
        try { client = await LocalSocketClient.TryConnectAsync(AdminSockets.SubmitPath(config), ct); }
        catch (UnauthorizedAccessException e) { return (ExitCodes.TempFail, null, e.Message); }
        if (client is not null)
        {
            using (client)
            {
                try { return (ExitCodes.Ok, await client.SubmitAsync(sender, recipients, bytes, ct), "by the running server"); }
                catch (LocalSubmissionRefusedException e) { return (e.ExitCode, null, e.Message); }
                catch (AdminException e) { return (ExitCodes.TempFail, null, "the server failed the message: " + e.Message); }
            }
        }
        try
        {
            var spool = new Spool(config.QueueDirectory, TimeProvider.System, NullLogger<Spool>.Instance);
            using var directory = await Postbote.Hosting.ServerHost.OpenDirectoryAsync(config);
            using var message = new MemoryStream(bytes, writable: false);
            var id = await LocalSubmission.SubmitAsync(spool, config, directory, sender, recipients, message, PeerCredentials.EffectiveUid, DateTimeOffset.Now, ct);
            return (ExitCodes.Ok, id, $"in {config.QueueDirectory} for the next start (the server is not running)");
        }
        catch (LocalSubmissionRefusedException e) { return (e.ExitCode, null, e.Message); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return (ExitCodes.TempFail, null, $"the server is not running and the spool {config.QueueDirectory} is not writable by this user ({e.Message}); try again later");
        }
    }
}
