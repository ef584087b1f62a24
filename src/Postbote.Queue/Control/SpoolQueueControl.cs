using Postbote.Core.Envelope;

namespace Postbote.Queue.Control;

/// <summary>
/// Queue control on the spool. Inside the server (<paramref name="manager"/> given) every change goes through the
/// <see cref="QueueManager"/>, which takes the message's lock, so it waits for a delivery attempt in progress and
/// takes effect at once. With the server stopped (no manager) hold, release and delete are file renames and removals;
/// flush and bounce need the server and report <see cref="QueueOpOutcome.ServerDown"/>.
/// </summary>
public sealed class SpoolQueueControl(Spool spool, QueueManager? manager) : IQueueControl
{
    public bool ServerRunning => manager is not null;

    public Task<IReadOnlyList<QueueEntry>> ListAsync(CancellationToken ct)
    {
        var list = new List<QueueEntry>();
        foreach (var state in new[] { QueueState.Active, QueueState.Hold, QueueState.Corrupt })
            foreach (var env in spool.List(state)) list.Add(QueueEntry.From(env, state));
        list.Sort((a, b) => a.Arrival.CompareTo(b.Arrival));
        return Task.FromResult<IReadOnlyList<QueueEntry>>(list);
    }

    public Task<IReadOnlyList<DestinationStatus>> DestinationsAsync(CancellationToken ct) =>
        Task.FromResult(manager?.Destinations() ?? []);

    public Task<QueueEntry?> ShowAsync(string queueId, CancellationToken ct)
    {
        if (spool.Find(queueId) is not { } found) return Task.FromResult<QueueEntry?>(null);
        IReadOnlyList<string> headers;
        try
        {
            using var stream = spool.OpenMessage(found.Envelope.QueueId);
            headers = MessageHeaders.Read(stream);
        }
        catch (FileNotFoundException) { headers = Array.Empty<string>(); }
        return Task.FromResult<QueueEntry?>(QueueEntry.From(found.Envelope, found.State, headers));
    }

    public async Task<(QueueOpOutcome Outcome, int Count)> FlushAsync(string? domain, CancellationToken ct)
    {
        if (manager is null) return (QueueOpOutcome.ServerDown, 0);
        return (QueueOpOutcome.Done, await manager.FlushAsync(domain, ct).ConfigureAwait(false));
    }

    public async Task<QueueOpOutcome> FlushMessageAsync(string queueId, CancellationToken ct)
    {
        if (manager is null) return Exists(queueId) ? QueueOpOutcome.ServerDown : QueueOpOutcome.NotFound;
        if (await manager.FlushMessageAsync(queueId, ct).ConfigureAwait(false)) return QueueOpOutcome.Done;
        return Missing(queueId);
    }

    public async Task<QueueOpOutcome> HoldAsync(string queueId, CancellationToken ct)
    {
        bool done = manager is not null
            ? await manager.HoldAsync(queueId, ct).ConfigureAwait(false)
            : QueueId.IsValid(queueId) && spool.Move(queueId.ToUpperInvariant(), QueueState.Active, QueueState.Hold);
        return done ? QueueOpOutcome.Done : Missing(queueId);
    }

    public async Task<QueueOpOutcome> ReleaseAsync(string queueId, CancellationToken ct)
    {
        bool done = manager is not null
            ? await manager.ReleaseAsync(queueId, ct).ConfigureAwait(false)
            : QueueId.IsValid(queueId) && spool.Move(queueId.ToUpperInvariant(), QueueState.Hold, QueueState.Active);
        return done ? QueueOpOutcome.Done : Missing(queueId);
    }

    public async Task<QueueOpOutcome> DeleteAsync(string queueId, CancellationToken ct)
    {
        if (manager is not null) return await manager.DeleteAsync(queueId, ct).ConfigureAwait(false) ? QueueOpOutcome.Done : QueueOpOutcome.NotFound;
        if (!Exists(queueId)) return QueueOpOutcome.NotFound;
        spool.Remove(queueId.ToUpperInvariant());
        return QueueOpOutcome.Done;
    }

    public async Task<QueueOpOutcome> BounceAsync(string queueId, CancellationToken ct)
    {
        if (manager is null) return Exists(queueId) ? QueueOpOutcome.ServerDown : QueueOpOutcome.NotFound;
        return await manager.BounceNowAsync(queueId, ct).ConfigureAwait(false) ? QueueOpOutcome.Done : Missing(queueId);
    }

    private bool Exists(string queueId) => spool.Find(queueId) is not null;
    private QueueOpOutcome Missing(string queueId) => Exists(queueId) ? QueueOpOutcome.WrongState : QueueOpOutcome.NotFound;
}
