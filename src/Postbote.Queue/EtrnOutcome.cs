namespace Postbote.Queue;

/// <summary>What an ETRN request found (RFC 1985 §5); the SMTP session picks the reply code from it.</summary>
public enum EtrnOutcome
{
    /// <summary>Messages are queued for the node and a delivery run was started: 250, or 253 with the count.</summary>
    QueueingStarted,
    /// <summary>Nothing is queued for the node: 251 "OK no messages waiting".</summary>
    NoMessages,
    /// <summary>The queue cannot start a run now (not running, or the node argument is not supported): 458.</summary>
    Unable,
}
