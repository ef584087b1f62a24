namespace Postbote.Core.Envelope;

/// <summary>Where one recipient of a queued message stands.</summary>
public enum RecipientState
{
    /// <summary>Not yet delivered; to be tried (again) at the message's next attempt.</summary>
    Pending,
    /// <summary>Delivered or relayed: done, never sent again.</summary>
    Delivered,
    /// <summary>Failed permanently: a DSN was (or will be) sent.</summary>
    Bounced,
    /// <summary>Gave up after the maximum queue lifetime.</summary>
    Expired,
}
