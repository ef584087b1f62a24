namespace Postbote.Queue;

/// <summary>The spool directories an envelope can be in; moving between them is one rename (Postfix's mail_queue.h).</summary>
public enum QueueState
{
    /// <summary>Waiting for delivery (new or deferred); the envelope's NextAttempt says when.</summary>
    Active,
    /// <summary>Held by an administrator: not delivered until released.</summary>
    Hold,
    /// <summary>Unreadable envelope, moved aside at start for an administrator to look at.</summary>
    Corrupt,
}
