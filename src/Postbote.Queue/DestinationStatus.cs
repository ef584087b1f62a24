namespace Postbote.Queue;

/// <summary>
/// A destination as the scheduler sees it now (for <c>postbote queue list</c> and the admin API): whether it is
/// dead and until when, its concurrency window, sessions in progress, deliveries waiting for a slot, failed
/// sessions in a row and the last failure.
/// </summary>
public sealed record DestinationStatus(string NextHop, bool Dead, DateTimeOffset? DeadUntil, int Window, int Sessions, int Waiting,
    int ConsecutiveFailures, string? LastFailure);
