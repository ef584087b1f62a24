namespace Postbote.Queue.Control;

/// <summary>
/// Queue control as the CLI and the dashboard use it: through the admin socket of the running server (the CLI's AdminClient),
/// or on the spool files when the server is stopped (<see cref="SpoolQueueControl"/>, which the admin endpoint
/// also uses inside the server, with the queue manager).
/// </summary>
public interface IQueueControl
{
    /// <summary>True when operations go through the running server.</summary>
    bool ServerRunning { get; }
    Task<IReadOnlyList<QueueEntry>> ListAsync(CancellationToken ct);
    Task<QueueEntry?> ShowAsync(string queueId, CancellationToken ct);
    /// <summary>The destinations the running server's scheduler tracks, dead ones first; empty with the server stopped.</summary>
    Task<IReadOnlyList<Postbote.Queue.DestinationStatus>> DestinationsAsync(CancellationToken ct);
    /// <summary>Makes every deferred message (or those for <paramref name="domain"/>) due now; the count scheduled.</summary>
    Task<(QueueOpOutcome Outcome, int Count)> FlushAsync(string? domain, CancellationToken ct);
    Task<QueueOpOutcome> FlushMessageAsync(string queueId, CancellationToken ct);
    Task<QueueOpOutcome> HoldAsync(string queueId, CancellationToken ct);
    Task<QueueOpOutcome> ReleaseAsync(string queueId, CancellationToken ct);
    Task<QueueOpOutcome> DeleteAsync(string queueId, CancellationToken ct);
    Task<QueueOpOutcome> BounceAsync(string queueId, CancellationToken ct);
}
