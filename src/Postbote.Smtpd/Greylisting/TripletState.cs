namespace Postbote.Smtpd.Greylisting;

/// <summary>A triplet's status; <see cref="Seconds"/> is the time left to wait (New, Early) or the time it took to retry (Retried).</summary>
public readonly record struct TripletState(TripletStatus Status, long Seconds);
