namespace Postbote.Smtpd.Greylisting;

/// <summary>The decision for one recipient; <see cref="RetryAfterSeconds"/> is how long a deferred client should wait.</summary>
public readonly record struct GreylistVerdict(GreylistDecision Decision, long RetryAfterSeconds = 0)
{
    public bool Deferred => Decision == GreylistDecision.Defer;
}
