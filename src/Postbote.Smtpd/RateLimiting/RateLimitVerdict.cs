namespace Postbote.Smtpd.RateLimiting;

/// <summary>The answer of <see cref="ClientRateLimiter"/> for one event.</summary>
public enum RateLimitVerdict
{
    Allow,
    /// <summary>Over the limit; already logged within the last minute for this client.</summary>
    Refuse,
    /// <summary>Over the limit, and the first refusal for this client this minute: log it.</summary>
    RefuseAndLog,
}
