using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Postbote.Queue;

/// <summary>
/// The mail log (DESIGN.md "Two logs"): one greppable line per event, in Postfix's shape, under the logger
/// category <see cref="Category"/> so that a host can route it to its own file.
/// </summary>
internal sealed partial class MailLog
{
    /// <summary>The logger category of the mail log.</summary>
    public const string Category = "Postbote.MailLog";

    private readonly ILogger _logger;

    public MailLog(ILoggerFactory factory) => _logger = factory.CreateLogger(Category);

    /// <summary>One delivery attempt of one recipient; status is sent, deferred, bounced or expired.</summary>
    /// <remarks>With <paramref name="tls"/> (an SMTP session) the line carries "tls=..." after the relay.</remarks>
    public void Attempt(string queueId, string recipient, string? relay, TimeSpan delay, string dsn, string status, string diagnostic,
        Postbote.Core.Delivery.TransportSecurity? tls = null)
    {
        string d = Math.Max(0, delay.TotalSeconds).ToString("0.##", CultureInfo.InvariantCulture);
        if (tls is not null)
        {
            if (status == "deferred") LogDeferredTls(queueId, recipient, relay ?? "none", tls.LogText, d, dsn, status, diagnostic);
            else LogAttemptTls(queueId, recipient, relay ?? "none", tls.LogText, d, dsn, status, diagnostic);
        }
        else if (status == "deferred") LogDeferred(queueId, recipient, relay ?? "none", d, dsn, status, diagnostic);
        else LogAttempt(queueId, recipient, relay ?? "none", d, dsn, status, diagnostic);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{QueueId}: to=<{Recipient}>, relay={Relay}, delay={Delay}, dsn={Dsn}, status={Status} ({Diagnostic})")]
    private partial void LogAttempt(string queueId, string recipient, string relay, string delay, string dsn, string status, string diagnostic);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "{QueueId}: to=<{Recipient}>, relay={Relay}, delay={Delay}, dsn={Dsn}, status={Status} ({Diagnostic})")]
    private partial void LogDeferred(string queueId, string recipient, string relay, string delay, string dsn, string status, string diagnostic);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "{QueueId}: to=<{Recipient}>, relay={Relay}, tls={Tls}, delay={Delay}, dsn={Dsn}, status={Status} ({Diagnostic})")]
    private partial void LogAttemptTls(string queueId, string recipient, string relay, string tls, string delay, string dsn, string status, string diagnostic);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "{QueueId}: to=<{Recipient}>, relay={Relay}, tls={Tls}, delay={Delay}, dsn={Dsn}, status={Status} ({Diagnostic})")]
    private partial void LogDeferredTls(string queueId, string recipient, string relay, string tls, string delay, string dsn, string status, string diagnostic);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "{QueueId}: removed")]
    public partial void Removed(string queueId);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "{QueueId}: sender non-delivery notification: {DsnId}")]
    public partial void NonDeliveryNotice(string queueId, string dsnId);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "{QueueId}: sender delay notification: {DsnId}")]
    public partial void DelayNotice(string queueId, string dsnId);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "{QueueId}: sender delivery status notification: {DsnId}")]
    public partial void SuccessNotice(string queueId, string dsnId);

    [LoggerMessage(EventId = 114, Level = LogLevel.Information, Message = "{QueueId}: postmaster non-delivery notification: {DsnId}")]
    public partial void PostmasterNotice(string queueId, string dsnId);

    [LoggerMessage(EventId = 115, Level = LogLevel.Warning, Message = "{QueueId}: undeliverable notice to postmaster <{Recipient}> discarded (no double-bounce loop)")]
    public partial void NoticeDiscarded(string queueId, string recipient);

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "{QueueId}: placed on hold")]
    public partial void Held(string queueId);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "{QueueId}: released from hold")]
    public partial void Released(string queueId);

    [LoggerMessage(EventId = 122, Level = LogLevel.Information, Message = "{QueueId}: returned to sender by the administrator")]
    public partial void BouncedByAdmin(string queueId);
}
