using System.IO.Pipelines;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Configuration;
using Postbote.Queue;
using Postbote.Smtpd;

namespace Postbote.Commands;

/// <summary>
/// `postbote sendmail -bs`: the server's own <see cref="SmtpSession"/> on stdin/stdout, as a trusted local client
/// (it may relay; no AUTH, no STARTTLS). Accepted messages are committed to a private staging spool (a 250 means
/// they are on disk), then handed on exactly like `sendmail -bm`: to the running server through submit.sock, or into
/// the spool when it is stopped. The staging Received header is replaced by the LOCAL one naming the caller's uid;
/// the queue id given in the dialogue is the staging one. If handing on fails, the staged files are kept and named.
/// </summary>
public static class SendmailSmtpSession
{
    private sealed class StdioPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }

    public static async Task<int> RunAsync(ResolvedConfiguration config, SendmailOptions o, Stream stdin, Stream stdout, CancellationToken ct)
    {
        var staging = Path.Combine(Path.GetTempPath(), "postbote-bs-" + Guid.NewGuid().ToString("N")[..12]);
        var spool = new Spool(staging, TimeProvider.System, NullLogger<Spool>.Instance);
        var services = new SmtpServices
        {
            Options = new SmtpServerOptions
            {
                Hostname = config.Server.Hostname,
                LocalDomains = config.Server.LocalDomains,
                Limits = config.Server.Limits,
                TrustedNetworks = [new IPNetwork(IPAddress.Loopback, 8)],
                CheckFromHeader = false,
            },
            Spool = spool,
            LoggerFactory = NullLoggerFactory.Instance,
        };
        var listener = new SmtpListener("sendmail", new IPEndPoint(IPAddress.Loopback, 0), ListenerRole.Mx, ImplicitTls: false) { OfferAuth = false };
        var pipe = new StdioPipe(PipeReader.Create(stdin), PipeWriter.Create(stdout));
        var session = new SmtpSession(pipe, new IPEndPoint(IPAddress.Loopback, 0), listener, services, ct);
        await session.RunAsync();
        await pipe.Output.CompleteAsync();

        int exit = ExitCodes.Ok;
        foreach (var env in spool.List(QueueState.Active).ToList())
        {
            var bytes = WithoutFirstHeaderField(await File.ReadAllBytesAsync(spool.MessagePath(env.QueueId), ct));
            int rc = await SendmailCommand.QueueAsync(config, env.ReversePath, env.Recipients.Select(r => r.Address).ToList(), bytes, o.Verbose, ct);
            if (rc != ExitCodes.Ok)
            {
                exit = rc;
                continue;
            }
            spool.Remove(env.QueueId);
        }
        if (exit == ExitCodes.Ok) System.IO.Directory.Delete(staging, recursive: true);
        else await Console.Error.WriteLineAsync($"postbote sendmail: accepted messages that could not be queued are kept in {staging}");
        return exit;
    }

    /// <summary>Drops the staging spool's Received field (the first header field, with its continuation lines).</summary>
    private static byte[] WithoutFirstHeaderField(byte[] message)
    {
        int pos = 0;
        while (true)
        {
            int lf = Array.IndexOf(message, (byte)'\n', pos);
            if (lf < 0) return message;
            pos = lf + 1;
            if (pos >= message.Length || (message[pos] != ' ' && message[pos] != '\t')) return message[pos..];
        }
    }
}
