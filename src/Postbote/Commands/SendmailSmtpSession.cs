using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Configuration;
using Postbote.Core.Smtp;
using Postbote.Queue;
using Postbote.Smtpd;

namespace Postbote.Commands;

/// <summary>
/// `postbote sendmail -bs`: the server's own <see cref="SmtpSession"/> on stdin/stdout, as a trusted local client
/// (it may relay; no AUTH, no STARTTLS). Each accepted message is committed to a private staging spool and, before
/// its 250 reaches the client, handed on exactly like `sendmail -bm` (to the running server through submit.sock, or
/// into the spool when it is stopped). So a 250 is only ever said for a message that is in the real queue, and names
/// its real queue id; a message that cannot be handed on is answered with the refusal or 451 4.3.0 instead, and a kill
/// at any point loses nothing that was acknowledged. The staging Received header is replaced by the LOCAL one.
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
        try
        {
            var spool = new Spool(staging, TimeProvider.System, NullLogger<Spool>.Instance);
            var services = new SmtpServices
            {
                Options = new SmtpServerOptions
                {
                    Hostname = config.Server.Hostname,
                    LocalDomains = config.Server.LocalDomains,
                    Limits = config.Server.Limits,
                    TrustedNetworks = [new IPNetwork(IPAddress.Loopback, 8)],
                    CheckFromHeader = false, // judged at hand-over, for the caller's uid (LocalSubmission)
                },
                Spool = spool,
                LoggerFactory = NullLoggerFactory.Instance,
            };
            var listener = new SmtpListener("sendmail", new IPEndPoint(IPAddress.Loopback, 0), ListenerRole.Mx, ImplicitTls: false) { OfferAuth = false };
            var output = new HandOverBeforeAcknowledging(stdout, spool, config, o.Verbose);
            var pipe = new StdioPipe(PipeReader.Create(stdin), PipeWriter.Create(output));
            var session = new SmtpSession(pipe, new IPEndPoint(IPAddress.Loopback, 0), listener, services, ct);
            await session.RunAsync();
            await pipe.Output.CompleteAsync();
            await output.FlushPendingAsync(ct);
            return output.Exit;
        }
        finally
        {
            try { System.IO.Directory.Delete(staging, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The session's output on its way to stdout: each "250 2.0.0 Ok: queued as ID" is held back until the staged
    /// message ID has been handed on, then passed with the real queue id, or replaced by the refusal.
    /// </summary>
    private sealed class HandOverBeforeAcknowledging(Stream stdout, Spool staging, ResolvedConfiguration config, bool verbose) : Stream
    {
        private static readonly string QueuedPrefix = SmtpReplies.Queued("").ToString().TrimEnd();
        private readonly List<byte> _partialLine = new();

        /// <summary>The sysexits code: Ok, or that of the last message that could not be handed on.</summary>
        public int Exit { get; private set; } = ExitCodes.Ok;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            _partialLine.AddRange(buffer.Span);
            int end = _partialLine.LastIndexOf((byte)'\n');
            if (end < 0) return;
            var complete = Encoding.UTF8.GetString(_partialLine.GetRange(0, end + 1).ToArray());
            _partialLine.RemoveRange(0, end + 1);
            var outgoing = new StringBuilder(complete.Length);
            foreach (var line in complete.Split("\r\n"))
            {
                if (line.Length == 0) continue;
                outgoing.Append(line.StartsWith(QueuedPrefix, StringComparison.Ordinal)
                    ? await HandOverAsync(line[QueuedPrefix.Length..].Trim(), ct).ConfigureAwait(false) : line).Append("\r\n");
            }
            await stdout.WriteAsync(Encoding.UTF8.GetBytes(outgoing.ToString()), ct).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous writes only");

        public async Task FlushPendingAsync(CancellationToken ct)
        {
            if (_partialLine.Count > 0) await stdout.WriteAsync(_partialLine.ToArray(), ct).ConfigureAwait(false);
            _partialLine.Clear();
            await stdout.FlushAsync(ct).ConfigureAwait(false);
        }

        /// <summary>Hands the staged message on; returns the reply line the client gets for it.</summary>
        private async Task<string> HandOverAsync(string stagingId, CancellationToken ct)
        {
            if (staging.Find(stagingId) is not { } found) return SmtpReplies.LocalError.ToString().TrimEnd();
            var env = found.Envelope;
            var bytes = WithoutFirstHeaderField(await File.ReadAllBytesAsync(staging.MessagePath(stagingId), ct).ConfigureAwait(false));
            var (exit, queueId, refusal) = await SendmailCommand.HandOverAsync(config, env.ReversePath, env.Recipients.Select(r => r.Address).ToList(), bytes, ct)
                .ConfigureAwait(false);
            staging.Remove(stagingId);
            if (exit == ExitCodes.Ok)
            {
                if (verbose) await Console.Error.WriteLineAsync($"postbote sendmail: queued as {queueId} {refusal}").ConfigureAwait(false);
                return SmtpReplies.Queued(queueId!).ToString().TrimEnd();
            }
            Exit = exit;
            await Console.Error.WriteLineAsync("postbote sendmail: " + refusal).ConfigureAwait(false);
            // A refusal carries its SMTP reply ("550 5.1.1 ..."); anything else is a temporary failure.
            return refusal is { Length: > 10 } r && char.IsAsciiDigit(r[0]) && r[3] == ' ' && r[0] is '4' or '5'
                ? r : SmtpReplies.LocalError.ToString().TrimEnd();
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask; // each complete write is flushed
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
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
