namespace Postbote.Queue;

/// <summary>
/// The answer to ETRN. RFC 1985 codes: 250 OK queuing started; 251 OK no messages waiting; 252 OK pending
/// messages started (node unknown count); 253 OK &lt;n&gt; pending messages started; 458 unable to queue;
/// 459 node not allowed (policy: decided by the session, not the queue).
/// </summary>
/// <param name="Outcome">What happened.</param>
/// <param name="MessageCount">Messages with pending recipients in the node (for 253).</param>
public readonly record struct EtrnResult(EtrnOutcome Outcome, int MessageCount);
