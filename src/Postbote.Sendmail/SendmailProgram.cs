using Postbote.Admin;
using Postbote.Commands;
using Postbote.Configuration;

namespace Postbote.Sendmail;

/// <summary>
/// The sendmail(8) command line of `postbote sendmail` (the same parser, preparation and submit client, compiled
/// natively): the message goes to the running server through submit.sock. Invoked as mailq, or with -bp, it lists
/// the queue. `-bs`, and a message while the server is stopped, are handed to the full `postbote` (<see cref="FullPostbote"/>).
/// </summary>
public static class SendmailProgram
{
    private const string Program = "sendmail";

    public static async Task<int> RunAsync(string[] argv, CancellationToken ct)
    {
        // "--Section:Key=value" overrides, as `postbote` takes them.
        var args = CommandLineOverrides.Apply(argv);
        SendmailOptions o;
        try { o = SendmailOptions.Parse(args); }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync(Program + ": " + e.Message + "\n" + SendmailOptions.Usage).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        if (o.Help)
        {
            Console.WriteLine(SendmailOptions.Usage);
            return ExitCodes.Ok;
        }
        if (o.SmtpOnStdio) return await FullPostbote.RunAsync(["sendmail", .. args], input: null, ct).ConfigureAwait(false) ?? ExitCodes.TempFail;

        ClientConfiguration config;
        try { config = ClientConfiguration.Load(o.ConfigFile); }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync(Program + ": " + e.Message).ConfigureAwait(false);
            return ExitCodes.Config;
        }
        if (o.ListQueue || InvokedAsMailq()) return await Mailq.RunAsync(config, ct).ConfigureAwait(false);

        string user = PeerCredentials.LookupUserName(PeerCredentials.EffectiveUid);
        var (submission, exit) = await SendmailSubmission.ReadAsync(o, config.Hostname, user, config.MessageSizeBytes, Console.OpenStandardInput(), Program, ct)
            .ConfigureAwait(false);
        if (submission is null) return exit;
        LocalSocketClient? client;
        try { client = await LocalSocketClient.TryConnectAsync(config.SubmitSocket, ct).ConfigureAwait(false); }
        catch (UnauthorizedAccessException e) { return await FailAsync(ExitCodes.TempFail, e.Message).ConfigureAwait(false); }
        if (client is null) return await QueueIntoSpoolAsync(config, o, submission, ct).ConfigureAwait(false);
        using (client)
        {
            try
            {
                var id = await client.SubmitAsync(submission.Sender, submission.Recipients, submission.Bytes, ct).ConfigureAwait(false);
                if (o.Verbose) await Console.Error.WriteLineAsync($"{Program}: queued as {id} by the running server ({submission.Recipients.Count} recipient(s))").ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (LocalSubmissionRefusedException e) { return await FailAsync(e.ExitCode, e.Message).ConfigureAwait(false); }
            catch (AdminException e) { return await FailAsync(ExitCodes.TempFail, "the server failed the message: " + e.Message).ConfigureAwait(false); }
        }
    }

    /// <summary>
    /// The server is stopped: `postbote sendmail` writes the prepared message into the spool (with its checks, alias
    /// expansion and DKIM signature). It gets the finished bytes with -i (dots are content now) and the explicit
    /// envelope, so it adds nothing: its result is the one a direct `postbote sendmail` would have had.
    /// </summary>
    private static async Task<int> QueueIntoSpoolAsync(ClientConfiguration config, SendmailOptions o, SendmailSubmission submission, CancellationToken ct)
    {
        var args = new List<string> { "sendmail", "-i", "-f", submission.Sender.Length == 0 ? "<>" : submission.Sender };
        if (o.Verbose) args.Add("-v");
        if (config.File is not null) args.AddRange(["--config", config.File]);
        args.Add("--");
        args.AddRange(submission.Recipients);
        return await FullPostbote.RunAsync(args, submission.Bytes, ct).ConfigureAwait(false) ?? ExitCodes.TempFail;
    }

    /// <summary>True when run through a link or copy named mailq (argv[0], not the resolved executable).</summary>
    private static bool InvokedAsMailq() =>
        Environment.GetCommandLineArgs() is [var zero, ..] && Path.GetFileName(zero) == "mailq";

    private static async Task<int> FailAsync(int exit, string reason)
    {
        await Console.Error.WriteLineAsync(Program + ": " + reason).ConfigureAwait(false);
        return exit;
    }
}
