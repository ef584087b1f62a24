namespace Postbote.Smtpd.Greylisting;

/// <summary>Where a triplet stands after an attempt.</summary>
public enum TripletStatus
{
    /// <summary>Never seen, or its retry window ran out: deferred.</summary>
    New,
    /// <summary>Retried before the delay ended: deferred.</summary>
    Early,
    /// <summary>Retried after the delay, within the window: passes, and from now on it is known.</summary>
    Retried,
    /// <summary>Passed before: passes.</summary>
    Known,
}
