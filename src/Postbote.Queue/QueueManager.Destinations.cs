using Microsoft.Extensions.Logging;
using Postbote.Core.Delivery;

namespace Postbote.Queue;

public sealed partial class QueueManager
{
    // Delivery slots, all under _gate: per destination (window, waiting deliveries, dead state) and overall.
    // Nothing here is awaited while a slot is held elsewhere: a delivery whose destination is full waits in that
    // destination's queue, holding nothing, and destinations with waiting deliveries take turns (round robin).
    private readonly Dictionary<string, DestinationQueue> _destinations = new(StringComparer.Ordinal);
    private readonly Queue<DestinationQueue> _rotation = new();
    private int _deliveriesInUse;

    /// <summary>Destinations remembered at most while idle; beyond this, idle ones are forgotten (Postfix drops idle queues too).</summary>
    private const int IdleDestinationsKept = 10_000;

    /// <summary>
    /// Waits for a delivery slot of <paramref name="key"/>: true when granted (release it with
    /// <see cref="ReleaseDeliverySlot"/>), false at once or later when the destination is dead.
    /// </summary>
    private async Task<bool> AcquireDeliverySlotAsync(string key, CancellationToken ct)
    {
        TaskCompletionSource<bool> waiter;
        lock (_gate)
        {
            var destination = DestinationLocked(key);
            if (destination.IsDead(_time.GetUtcNow())) return false;
            if (destination.Waiting.Count == 0 && destination.CanStart(_deliveriesInUse, _options.MaxConcurrentDeliveries, _options.DestinationShareOfDeliveries))
            {
                destination.InUse++;
                _deliveriesInUse++;
                return true;
            }
            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            destination.Waiting.Enqueue(waiter);
            JoinRotationLocked(destination);
            GrantLocked();
        }
        using (ct.Register(static w => ((TaskCompletionSource<bool>)w!).TrySetCanceled(), waiter))
            return await waiter.Task.ConfigureAwait(false);
    }

    /// <summary>Gives a slot back with the session's feedback (see <see cref="DestinationQueue.Judge"/>) and grants waiting deliveries.</summary>
    private void ReleaseDeliverySlot(string key, IReadOnlyList<RecipientResult>? results)
    {
        bool? judged = results is null ? null : DestinationQueue.Judge(results);
        DestinationQueue destination;
        bool died = false;
        lock (_gate)
        {
            destination = DestinationLocked(key);
            destination.InUse--;
            _deliveriesInUse--;
            if (judged == true) destination.Succeeded();
            else if (judged == false)
            {
                var failure = results!.FirstOrDefault(r => r.RemoteMta is not null) ?? results![0];
                died = destination.Failed(failure, _time.GetUtcNow(), _options.MinimalBackoff, _options.DestinationFailureLimit);
                if (died)
                {
                    while (destination.Waiting.TryDequeue(out var waiting)) waiting.TrySetResult(false);
                }
            }
            if (destination.Waiting.Count > 0) JoinRotationLocked(destination);
            else if (destination.IsForgettable && !destination.InRotation) _destinations.Remove(key);
            GrantLocked();
        }
        if (died) LogDestinationDead(key, destination.ConsecutiveFailures, destination.DeadUntil!.Value, destination.LastFailure!.Diagnostic);
    }

    /// <summary>Grants slots to waiting deliveries, one per destination per turn, while slots are free.</summary>
    /// <remarks>
    /// Every turn takes a delivery or a destination out of the rotation, so the loop ends. A destination that may not
    /// start now (its window or its share is full) leaves the rotation; it holds a slot then, and rejoins when it
    /// gives one back.
    /// </remarks>
    private void GrantLocked()
    {
        while (_deliveriesInUse < _options.MaxConcurrentDeliveries && _rotation.TryDequeue(out var destination))
        {
            while (destination.Waiting.TryPeek(out var head) && head.Task.IsCompleted) destination.Waiting.Dequeue(); // cancelled
            if (destination.Waiting.Count == 0 || !destination.CanStart(_deliveriesInUse, _options.MaxConcurrentDeliveries, _options.DestinationShareOfDeliveries))
            {
                destination.InRotation = false;
                continue;
            }
            if (destination.Waiting.Dequeue().TrySetResult(true))
            {
                destination.InUse++;
                _deliveriesInUse++;
            }
            _rotation.Enqueue(destination);
        }
    }

    private void JoinRotationLocked(DestinationQueue destination)
    {
        if (destination.InRotation) return;
        destination.InRotation = true;
        _rotation.Enqueue(destination);
    }

    private DestinationQueue DestinationLocked(string key)
    {
        if (_destinations.TryGetValue(key, out var destination)) return destination;
        if (_destinations.Count >= IdleDestinationsKept)
        {
            var now = _time.GetUtcNow();
            foreach (var idle in _destinations.Values.Where(d => d.InUse == 0 && d.Waiting.Count == 0 && !d.InRotation && !d.IsDead(now)).ToList())
                _destinations.Remove(idle.Key);
        }
        destination = new DestinationQueue(key, _options.InitialDestinationConcurrency, _options.MaxConcurrentDeliveriesPerDestination);
        _destinations[key] = destination;
        return destination;
    }

    /// <summary>The result for a recipient not tried because its destination is dead (Postfix's wording).</summary>
    private RecipientResult Suspended(string key, string recipient)
    {
        RecipientResult? last;
        lock (_gate) last = _destinations.GetValueOrDefault(key)?.LastFailure;
        return RecipientResult.Temporary(recipient, last?.Status ?? "4.4.1",
            "delivery temporarily suspended: " + (last?.Diagnostic ?? "destination not responding"), null, FailureScope.Site);
    }

    /// <summary>What the scheduler knows of each destination it is tracking now (for the admin), dead ones first.</summary>
    public IReadOnlyList<DestinationStatus> Destinations()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return _destinations.Values
                .Select(d => new DestinationStatus(d.Key, d.IsDead(now), d.IsDead(now) ? d.DeadUntil : null, d.Window, d.InUse,
                    d.Waiting.Count(w => !w.Task.IsCompleted), d.ConsecutiveFailures, d.LastFailure?.Diagnostic))
                .OrderByDescending(d => d.Dead).ThenBy(d => d.NextHop, StringComparer.Ordinal).ToList();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "destination {NextHop} is dead after {Failures} failed sessions: no connection until {Until:u} ({Reason})")]
    private partial void LogDestinationDead(string nextHop, int failures, DateTimeOffset until, string reason);
}
