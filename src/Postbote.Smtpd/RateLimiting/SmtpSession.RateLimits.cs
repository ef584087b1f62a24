using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;
using Postbote.Smtpd.RateLimiting;

namespace Postbote.Smtpd;

/// <summary>The session's side of the per-client rate limits (issue 13, Postfix anvil): one call per counted event.</summary>
public sealed partial class SmtpSession
{
    /// <summary>Counts the event; the reply to refuse it with when the client is over its rate, else null.</summary>
    private SmtpReply? RateLimited(RateLimitedEvent kind)
    {
        if (_services.RateLimiter is not { } limiter) return null;
        var verdict = limiter.Record(ClientAddress, kind);
        if (verdict == RateLimitVerdict.Allow) return null;
        if (verdict == RateLimitVerdict.RefuseAndLog) LogRateLimited(ClientAddress, kind, _listener.Name);
        return RateLimitReplies.For(kind, ClientAddress);
    }

    private SmtpReply? RateLimitMail() => RateLimited(RateLimitedEvent.Message);

    private SmtpReply? RateLimitRcpt() => RateLimited(RateLimitedEvent.Recipient);

    private SmtpReply? RateLimitNewTls() => RateLimited(RateLimitedEvent.NewTlsSession);

    [LoggerMessage(Level = LogLevel.Warning, Message = "rate limit: [{Client}] over its {Kind} rate on {Listener}; refused (logged once a minute per client)")]
    private partial void LogRateLimited(System.Net.IPAddress client, RateLimitedEvent kind, string listener);
}
