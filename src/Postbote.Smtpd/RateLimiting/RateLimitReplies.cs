using System.Net;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd.RateLimiting;

/// <summary>The replies over a rate limit, worded as Postfix's smtpd words them.</summary>
public static class RateLimitReplies
{
    public static SmtpReply For(RateLimitedEvent kind, IPAddress client) => kind switch
    {
        RateLimitedEvent.Connection => new(421, "4.7.0", $"Error: too many connections from [{client}]"),
        RateLimitedEvent.Message => new(450, "4.7.1", $"Error: too much mail from [{client}]"),
        RateLimitedEvent.Recipient => new(450, "4.7.1", $"Error: too many recipients from [{client}]"),
        _ => new(421, "4.7.0", $"Error: too many new TLS sessions from [{client}]"),
    };
}
