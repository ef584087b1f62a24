using System.Text;
using Microsoft.Extensions.Logging;
using Postbote.Core.Envelope;
using Postbote.Core.Smtp;
using Postbote.MailAuth;
using Postbote.MailAuth.Results;
using Postbote.Queue;

namespace Postbote.Smtpd;

// The end-of-DATA checks of mail from strangers on the MX: DKIM, DMARC, Authentication-Results (RFC 8601) and the
// omission of forged Authentication-Results claiming our host name; trusted and authenticated clients pay nothing.
public sealed partial class SmtpSession
{
    private static readonly SmtpReply HeaderTooLongReply = new(552, "5.3.4", "Error: message header section too long to be checked");

    /// <summary>Mail checked at the end of DATA: on an Mx listener, from a client neither authenticated nor trusted.</summary>
    private bool ChecksInboundMail => _services.InboundChecks is not null && _listener.Role == ListenerRole.Mx
        && _authUser is null && !RelayPolicy.IsTrusted(ClientAddress, _options.TrustedNetworks);

    /// <summary>What the checks add to the envelope of an accepted message.</summary>
    private readonly record struct InboundMarks(List<ByteRange>? OmitRanges, string? Folder);

    /// <summary>
    /// Runs the checks on the received message: a refusal (550 5.7.1 DMARC reject, 451 4.7.1 deferred temperror,
    /// 552 5.3.4 header too long to check) or null, with the Authentication-Results field (and for a quarantine
    /// X-Spam-Flag) put first in <paramref name="prepend"/>, and the envelope marks.
    /// </summary>
    private async ValueTask<(SmtpReply? Refusal, InboundMarks Marks)> CheckInboundAsync(IncomingMessage incoming, SmtpTransaction tx, List<string> prepend)
    {
        var checks = _services.InboundChecks!;
        var capture = incoming.Dkim;
        if (capture is null) return (null, default);
        if (capture.HeaderTooLong)
        {
            LogHeaderTooLong(incoming.QueueId, ClientAddress, checks.MaxHeaderBytes);
            return (HeaderTooLongReply, default);
        }
        var auth = await checks.AuthenticateAsync(tx.Spf, tx.Mail.ReversePathText, capture, incoming.Headers, _stopping).ConfigureAwait(false);
        var dmarc = auth.Dmarc?.Decisive;
        LogAuthentication(incoming.QueueId, ClientAddress, DkimSummary(auth), dmarc?.ResultWord ?? "off", dmarc?.FromDomain ?? "",
            dmarc?.Policy is { } p ? Postbote.MailAuth.Dmarc.DmarcRecord.Word(p) : "-",
            dmarc is null ? "-" : Postbote.MailAuth.Dmarc.DmarcRecord.Word(dmarc.Disposition), auth.Action.ToString().ToLowerInvariant(),
            dmarc?.Reason ?? "");
        switch (auth.Action)
        {
            case MailAuthAction.Reject: return (new SmtpReply(550, "5.7.1", "Message rejected: " + HeaderText.Printable(auth.Reason, 200)), default);
            case MailAuthAction.Defer: return (new SmtpReply(451, "4.7.1", "Message authentication could not be completed, try again later"), default);
        }
        // Forged fields claiming our authserv-id are left out at delivery (RFC 8601 §5).
        var omit = ForgedResultsIn(capture);
        if (omit is not null) LogForgedResults(incoming.QueueId, omit.Count);
        prepend.Insert(0, auth.AuthenticationResults(_options.Hostname));
        if (auth.Action == MailAuthAction.Quarantine)
        {
            prepend.Insert(1, "X-Spam-Flag: YES\r\n");
            return (null, new InboundMarks(omit, checks.QuarantineFolder));
        }
        return (null, new InboundMarks(omit, null));
    }

    /// <summary>The byte ranges of Authentication-Results fields claiming our host name in a captured header section; null: none.</summary>
    private List<ByteRange>? ForgedResultsIn(Postbote.MailAuth.Dkim.DkimMessageCapture? capture)
    {
        if (capture is null || capture.HeaderTooLong) return null;
        List<ByteRange>? omit = null;
        foreach (var r in AuthenticationResultsField.FindClaiming(capture.Header, _options.Hostname))
        {
            var (offset, length) = r.GetOffsetAndLength(capture.Header.Length);
            (omit ??= new()).Add(new ByteRange(offset, length));
        }
        return omit;
    }

    private static string DkimSummary(MessageAuthentication auth)
    {
        if (auth.Dkim.Count == 0) return "none";
        var sb = new StringBuilder();
        foreach (var d in auth.Dkim)
        {
            if (sb.Length > 0) sb.Append(',');
            sb.Append(d.ResultWord);
            if (d.Domain.Length > 0) sb.Append('(').Append(d.Domain).Append(')');
        }
        return sb.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: auth: client=[{Client}] dkim={Dkim} dmarc={Dmarc} header.from={From} p={Policy} dis={Disposition} action={Action} ({Reason})")]
    private partial void LogAuthentication(string queueId, System.Net.IPAddress client, string dkim, string dmarc, string from, string policy, string disposition, string action, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{QueueId}: auth: {Count} Authentication-Results field(s) claiming our host name removed (RFC 8601 section 5)")]
    private partial void LogForgedResults(string queueId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{QueueId}: reject: header section from [{Client}] longer than {Limit} octets, cannot be checked")]
    private partial void LogHeaderTooLong(string queueId, System.Net.IPAddress client, int limit);
}
