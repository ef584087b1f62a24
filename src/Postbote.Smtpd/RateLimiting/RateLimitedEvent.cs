namespace Postbote.Smtpd.RateLimiting;

/// <summary>The client events Postfix's anvil counts per time unit.</summary>
public enum RateLimitedEvent
{
    Connection,
    Message,
    Recipient,
    NewTlsSession,
}
