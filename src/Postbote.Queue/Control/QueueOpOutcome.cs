namespace Postbote.Queue.Control;

/// <summary>What a queue operation did.</summary>
public enum QueueOpOutcome
{
    Done,
    /// <summary>No message with that id.</summary>
    NotFound,
    /// <summary>The message exists but not in a state the operation applies to (e.g. release of a message not on hold).</summary>
    WrongState,
    /// <summary>The operation needs the running server (flush, bounce) and it is stopped.</summary>
    ServerDown,
}
