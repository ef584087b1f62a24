using System.Globalization;
using System.Text;
using MimeKit;
using MimeKit.Utils;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;
using Postbote.MailAuth.Dkim;

namespace Postbote.Queue;

/// <summary>
/// Builds delivery status notifications (Postfix's bounce daemon): an RFC 3462 <c>multipart/report;
/// report-type=delivery-status</c> from MAILER-DAEMON with a human-readable part, an RFC 3464
/// <c>message/delivery-status</c> part and the original: its raw stored header section as
/// <c>text/rfc822-headers</c> (RET=HDRS or not given) or the whole message as <c>message/rfc822</c>
/// (RET=FULL, up to <see cref="QueueManagerOptions.ReturnFullMessageLimit"/>). A new message, so MimeKit
/// writes it; the original's bytes are copied as stored, never re-serialised.
/// </summary>
public sealed partial class Bounce
{
    /// <summary>Longest header section returned; a longer one is cut at a line end.</summary>
    internal const int MaxHeaderBytes = 256 * 1024;

    private readonly QueueManagerOptions _options;
    private readonly TimeProvider _time;

    public Bounce(QueueManagerOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>Signs the DSNs (From: MAILER-DAEMON@Hostname) when the hostname's domain or a parent has a DKIM key.</summary>
    public DkimSigner? Signer { get; set; }

    /// <summary>
    /// Builds a DSN about <paramref name="original"/> for the given recipients and their RFC 3464 actions.
    /// </summary>
    /// <param name="kind">Failure, delay, success, or a copy for the postmaster.</param>
    /// <param name="original">The envelope of the message reported on.</param>
    /// <param name="recipients">The recipients reported, each with its action.</param>
    /// <param name="openOriginal">Opens the stored message bytes (without prepended headers).</param>
    /// <param name="to">The DSN's recipient: the original sender, or the postmaster.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The DSN as bytes with CRLF line ends, ready for <see cref="Spool.EnqueueAsync"/>.</returns>
    public async Task<byte[]> CreateAsync(DsnKind kind, QueuedMessage original, IReadOnlyList<(QueuedRecipient Recipient, DeliveryAction Action)> recipients,
        Func<Stream> openOriginal, string to, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@" + _options.Hostname));
        message.To.Add(new MailboxAddress("", to));
        message.Subject = kind switch
        {
            DsnKind.Failure => "Undelivered Mail Returned to Sender",
            DsnKind.Delay => "Delayed Mail (still being retried)",
            DsnKind.Success => "Successful Mail Delivery Report",
            _ => "Postmaster Copy: Undelivered Mail",
        };
        message.Date = now;
        message.MessageId = MimeUtils.GenerateMessageId(_options.Hostname);
        message.Headers.Add("Auto-Submitted", "auto-replied"); // RFC 3834 §5: never answer this automatically

        var report = new MultipartReport("delivery-status");
        string human = HumanText(kind, original, recipients);
        bool plain = human.All(c => c < 128) && human.Split('\n').All(l => l.Length < 998);
        report.Add(new TextPart("plain") { Text = human, ContentTransferEncoding = plain ? ContentEncoding.SevenBit : ContentEncoding.QuotedPrintable });
        var status = new MessageDeliveryStatus();
        byte[] statusBytes = Encoding.UTF8.GetBytes(StatusFields(kind, original, recipients, now));
        status.Content = new MimeContent(new MemoryStream(statusBytes));
        status.ContentTransferEncoding = Is8Bit(statusBytes) ? ContentEncoding.EightBit : ContentEncoding.SevenBit;
        report.Add(status);
        report.Add(await OriginalPartAsync(original, openOriginal, ct).ConfigureAwait(false));
        message.Body = report;

        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var output = new MemoryStream();
        await message.WriteToAsync(options, output, ct).ConfigureAwait(false);
        if (Signer?.SignMessage(output.GetBuffer().AsSpan(0, (int)output.Length), original.QueueId + " (DSN)") is not { Count: > 0 } signatures)
            return output.ToArray();
        // A message of our own: the signature goes into the file itself, ahead of the fields it covers.
        var signed = new MemoryStream();
        foreach (var field in signatures) signed.Write(Encoding.ASCII.GetBytes(field));
        output.Position = 0;
        await output.CopyToAsync(signed, ct).ConfigureAwait(false);
        return signed.ToArray();
    }

    private async Task<MimeEntity> OriginalPartAsync(QueuedMessage original, Func<Stream> openOriginal, CancellationToken ct)
    {
        await using var stream = openOriginal();
        if (original.Return == DsnReturn.Full && original.Size <= _options.ReturnFullMessageLimit)
        {
            var all = new MemoryStream();
            await stream.CopyToAsync(all, ct).ConfigureAwait(false);
            var bytes = all.ToArray();
            var part = new MimePart("message", "rfc822")
            {
                Content = new MimeContent(new MemoryStream(bytes)),
                ContentTransferEncoding = original.Body == BodyType.BinaryMime ? ContentEncoding.Binary
                    : Is8Bit(bytes) ? ContentEncoding.EightBit : ContentEncoding.SevenBit,
            };
            return part;
        }
        var headers = await ReadHeaderSectionAsync(stream, MaxHeaderBytes, ct).ConfigureAwait(false);
        return new MimePart("text", "rfc822-headers")
        {
            Content = new MimeContent(new MemoryStream(headers)),
            ContentTransferEncoding = Is8Bit(headers) ? ContentEncoding.EightBit : ContentEncoding.SevenBit,
        };
    }

    /// <summary>
    /// Reads the raw header section of a stored message: every header line with its CRLF, without the empty
    /// line that ends the section, at most <paramref name="max"/> bytes (cut after a line end).
    /// </summary>
    internal static async Task<byte[]> ReadHeaderSectionAsync(Stream stream, int max, CancellationToken ct)
    {
        var buffer = new byte[Math.Min(max + 4, 64 * 1024)];
        var collected = new MemoryStream();
        int scanned = 0;
        while (collected.Length < max + 4)
        {
            int n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0) break;
            collected.Write(buffer, 0, n);
            var span = collected.GetBuffer().AsSpan(0, (int)collected.Length);
            if (span.Length >= 2 && scanned == 0 && span[0] == '\r' && span[1] == '\n') return [];
            int end = span[Math.Max(0, scanned - 3)..].IndexOf("\r\n\r\n"u8);
            if (end >= 0) return span[..(Math.Max(0, scanned - 3) + end + 2)].ToArray();
            scanned = span.Length;
        }
        var all = collected.GetBuffer().AsSpan(0, (int)Math.Min(collected.Length, max));
        int lastLine = all.LastIndexOf("\r\n"u8);
        return lastLine < 0 ? [] : all[..(lastLine + 2)].ToArray();
    }

    private string HumanText(DsnKind kind, QueuedMessage original, IReadOnlyList<(QueuedRecipient Recipient, DeliveryAction Action)> recipients)
    {
        var text = new StringBuilder();
        text.Append("This is the mail system at host ").Append(_options.Hostname).Append(".\n\n");
        text.Append(kind switch
        {
            DsnKind.Failure =>
                "Your message could not be delivered to one or more recipients; the reasons are\n" +
                "given below. This is a final answer: the mail system will not try again.\n",
            DsnKind.Delay =>
                "Your message has not yet been delivered to one or more recipients; the reasons are\n" +
                "given below. The mail system keeps trying until " +
                (original.ArrivalTime + Lifetime(original)).ToString("r", CultureInfo.InvariantCulture) + ";\n" +
                "there is no need to send the message again.\n",
            DsnKind.Success =>
                "Your message was delivered to the recipients below, as you asked to be told.\n",
            _ =>
                "A delivery status notification could not be delivered to its recipient; it is\n" +
                "attached for the postmaster's attention.\n",
        });
        text.Append("\nFor help, write to the postmaster of this system and include this notice.\n\n");
        text.Append("                   The mail system\n\n");
        foreach (var (r, action) in recipients)
        {
            text.Append('<').Append(Printable(r.Address)).Append(">: ");
            text.Append(r.Diagnostic is { Length: > 0 } d ? Printable(d) : ActionName(action));
            if (r.RemoteMta is { Length: > 0 } mta) text.Append(" (host ").Append(Printable(mta)).Append(')');
            text.Append('\n');
        }
        return text.ToString();
    }

    private string StatusFields(DsnKind kind, QueuedMessage original, IReadOnlyList<(QueuedRecipient Recipient, DeliveryAction Action)> recipients, DateTimeOffset now)
    {
        var s = new StringBuilder();
        s.Append("Reporting-MTA: dns; ").Append(_options.Hostname).Append("\r\n");
        s.Append("X-Postbote-Queue-ID: ").Append(original.QueueId).Append("\r\n");
        if (original.ReversePath.Length > 0) s.Append("X-Postbote-Sender: rfc822; ").Append(Printable(original.ReversePath)).Append("\r\n");
        if (original.EnvelopeId is { Length: > 0 } envid) s.Append("Original-Envelope-Id: ").Append(Printable(envid)).Append("\r\n");
        s.Append("Arrival-Date: ").Append(DateUtils.FormatDate(original.ArrivalTime)).Append("\r\n");
        foreach (var (r, action) in recipients)
        {
            s.Append("\r\n");
            s.Append("Final-Recipient: ").Append(AddressType(r.Address)).Append("; ").Append(Printable(r.Address)).Append("\r\n");
            if (r.OriginalRecipientParameter is { Length: > 0 } parameter)
            {
                var orcpt = Printable(parameter);
                int semi = orcpt.IndexOf(';');
                s.Append("Original-Recipient: ");
                s.Append(semi > 0 ? orcpt[..semi].Trim() + "; " + orcpt[(semi + 1)..].Trim() : "rfc822; " + orcpt).Append("\r\n");
            }
            s.Append("Action: ").Append(ActionName(action)).Append("\r\n");
            s.Append("Status: ").Append(r.Status is { Length: > 0 } st ? Printable(st) : DefaultStatus(action)).Append("\r\n");
            string? remote = RemoteHost(r.RemoteMta is null ? null : Printable(r.RemoteMta));
            if (remote is not null) s.Append("Remote-MTA: dns; ").Append(remote).Append("\r\n");
            if (r.Diagnostic is { Length: > 0 } diag)
                s.Append("Diagnostic-Code: ").Append(DiagnosticCode(remote, Printable(diag))).Append("\r\n");
            if (r.LastAttempt is { } last) s.Append("Last-Attempt-Date: ").Append(DateUtils.FormatDate(last)).Append("\r\n");
            if (kind == DsnKind.Delay) s.Append("Will-Retry-Until: ").Append(DateUtils.FormatDate(original.ArrivalTime + Lifetime(original))).Append("\r\n");
        }
        return s.ToString();
    }

    private TimeSpan Lifetime(QueuedMessage m) => m.IsBounce ? _options.BounceQueueLifetime : _options.MaximalQueueLifetime;

    /// <summary>"mx.example.net[192.0.2.7]:25" → "mx.example.net"; a bare "[192.0.2.7]" stays as is.</summary>
    internal static string? RemoteHost(string? remoteMta)
    {
        if (string.IsNullOrEmpty(remoteMta)) return null;
        int bracket = remoteMta.IndexOf('[');
        return bracket > 0 ? remoteMta[..bracket] : remoteMta;
    }

    /// <summary>
    /// RFC 3464 §2.3.6: type "smtp" carries the remote server's reply itself ("smtp; 550 5.1.1 User unknown"), which
    /// a parser reads the code from. The delivery agents' diagnostic puts context first ("recipient refused by
    /// host[ip]:port: 550 5.1.1 ..."), so the reply is taken from where it starts; a diagnostic without a reply
    /// (connection refused, DNS, local) is our own text, type X-Postbote (as Postfix writes X-Postfix).
    /// </summary>
    internal static string DiagnosticCode(string? remoteHost, string diagnostic)
    {
        if (remoteHost is not null)
        {
            var reply = SmtpReplyInDiagnostic().Match(diagnostic);
            if (reply.Success) return "smtp; " + diagnostic[reply.Index..];
        }
        return "X-Postbote; " + diagnostic;
    }

    /// <summary>An SMTP reply code at the start of the text or after ": ", followed by a space or the end.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=^|: )[245][0-9][0-9](?= |$)")]
    private static partial System.Text.RegularExpressions.Regex SmtpReplyInDiagnostic();

    /// <summary>RFC 6533: a non-ASCII address is of type utf-8, not rfc822.</summary>
    private static string AddressType(string address) => address.Any(c => c > 127) ? "utf-8" : "rfc822";

    /// <summary>
    /// An envelope value as it may stand in a DSN field or line: line ends and tabs become spaces, every other control
    /// character (C0, DEL, C1) a '?'. Envelopes are checked where they enter the spool; this is defence in depth
    /// against a field injected into the delivery-status part (RFC 3464 §2) by an older spool or a remote reply.
    /// </summary>
    internal static string Printable(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001f') && !text.AsSpan().ContainsAnyInRange('\u007f', '\u009f')) return text;
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                char c = source[i];
                span[i] = c is '\r' or '\n' or '\t' ? ' ' : c < ' ' || c is >= '\u007f' and <= '\u009f' ? '?' : c;
            }
        });
    }

    internal static string ActionName(DeliveryAction action) => action switch
    {
        DeliveryAction.Delivered => "delivered",
        DeliveryAction.Relayed => "relayed",
        DeliveryAction.Expanded => "expanded",
        DeliveryAction.Delayed => "delayed",
        _ => "failed",
    };

    private static string DefaultStatus(DeliveryAction action) => action switch
    {
        DeliveryAction.Delayed => "4.0.0",
        DeliveryAction.Failed => "5.0.0",
        _ => "2.0.0",
    };

    private static bool Is8Bit(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0;
}
