using System.Collections.Concurrent;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

/// <summary>
/// The spool's contents in memory (queue id → state and arrival), kept by the spool's own state changes so that
/// the queue gauges never scan the disk: filled once by the start-up scan, then commit, move and remove.
/// </summary>
public sealed class SpoolCensus
{
    private readonly ConcurrentDictionary<string, (QueueState State, DateTimeOffset Arrival)> _entries = new(StringComparer.Ordinal);

    public void Add(string queueId, QueueState state, DateTimeOffset arrival) => _entries[queueId] = (state, arrival);

    public void Move(string queueId, QueueState to)
    {
        if (_entries.TryGetValue(queueId, out var e)) _entries[queueId] = (to, e.Arrival);
    }

    public void Remove(string queueId) => _entries.TryRemove(queueId, out _);

    /// <summary>After the start-up scan: what each state directory holds now.</summary>
    public void Load(Spool spool)
    {
        _entries.Clear();
        foreach (var state in new[] { QueueState.Active, QueueState.Hold })
            foreach (var envelope in spool.List(state)) Add(envelope.QueueId, state, envelope.ArrivalTime);
    }

    /// <summary>Messages in a state and the arrival of the oldest (null when none).</summary>
    public (int Count, DateTimeOffset? Oldest) Of(QueueState state)
    {
        int count = 0;
        DateTimeOffset? oldest = null;
        foreach (var (_, e) in _entries)
        {
            if (e.State != state) continue;
            count++;
            if (oldest is null || e.Arrival < oldest) oldest = e.Arrival;
        }
        return (count, oldest);
    }
}
