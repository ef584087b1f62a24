namespace Postbote.Smtpd.Greylisting;

/// <summary>What greylisting says about one recipient of an attempt.</summary>
public enum GreylistDecision
{
    /// <summary>New or retried too early: 450 4.7.1.</summary>
    Defer,
    /// <summary>The triplet passed (now or before).</summary>
    Pass,
    /// <summary>The client network is auto-whitelisted: no triplet is looked at.</summary>
    Whitelisted,
    /// <summary>SPF pass from a sender domain that passed greylisting with SPF pass before.</summary>
    KnownDomain,
    /// <summary>The state could not be read or written: the mail passes (greylisting never loses mail).</summary>
    Unavailable,
}
