using System.Diagnostics.Metrics;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

/// <summary>
/// The queue's instruments (meter "Postbote"; docs/metrics.md): messages queued, recipient outcomes, attempt
/// delays, queue size and age by state (from the <see cref="SpoolCensus"/>), spool sync time and batch size.
/// </summary>
public sealed class QueueMetrics
{
    private static readonly QueueState[] GaugedStates = { QueueState.Active, QueueState.Hold };
    private readonly Counter<long> _queued, _queuedBytes, _delivered, _deferred, _bounced, _expired, _attempts;
    private readonly Histogram<double> _delay, _sync;
    private readonly Histogram<long> _batch;
    private readonly KeyValuePair<string, object?>[] _sent, _deferredTag, _bouncedTag, _expiredTag;
    private readonly KeyValuePair<string, object?>[][] _stateTags;
    private readonly TimeProvider _time;

    public QueueMetrics(IMeterFactory? meters = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        var meter = meters?.Create("Postbote") ?? new Meter("Postbote");
        _queued = meter.CreateCounter<long>("postbote.messages.queued", "{message}", "Messages committed to the spool (received, submitted locally, or notices we generated)");
        _queuedBytes = meter.CreateCounter<long>("postbote.queued", "By", "Message bytes committed to the spool");
        _delivered = meter.CreateCounter<long>("postbote.messages.delivered", "{recipient}", "Recipient deliveries that succeeded (status=sent)");
        _deferred = meter.CreateCounter<long>("postbote.messages.deferred", "{recipient}", "Recipient delivery attempts that failed temporarily (status=deferred)");
        _bounced = meter.CreateCounter<long>("postbote.messages.bounced", "{recipient}", "Recipients that failed permanently (status=bounced)");
        _expired = meter.CreateCounter<long>("postbote.messages.expired", "{recipient}", "Recipients given up after the maximal queue lifetime (status=expired)");
        _attempts = meter.CreateCounter<long>("postbote.delivery.attempts", "{attempt}", "Recipient delivery attempts, by status");
        _delay = meter.CreateHistogram<double>("postbote.delivery.delay", "s", "Time from arrival to a recipient's attempt outcome (Postfix delay=)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = new double[] { 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600, 4 * 3600, 24 * 3600, 5 * 24 * 3600 } });
        _sync = meter.CreateHistogram<double>("postbote.spool.sync.duration", "s", "Time of one spool sync batch (syncfs or fsyncs) that a 250 waits for",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = new double[] { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1 } });
        _batch = meter.CreateHistogram<long>("postbote.spool.sync.batch", "{file}", "Files made durable by one spool sync batch",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = new long[] { 1, 2, 4, 8, 16, 32, 64, 128, 256 } });
        _sent = new[] { Status("sent") };
        _deferredTag = new[] { Status("deferred") };
        _bouncedTag = new[] { Status("bounced") };
        _expiredTag = new[] { Status("expired") };
        _stateTags = GaugedStates.Select(s => new[] { new KeyValuePair<string, object?>("state", s.ToString().ToLowerInvariant()) }).ToArray();
        meter.CreateObservableGauge("postbote.queue.messages", ObserveSizes, "{message}", "Messages in the spool, by state");
        meter.CreateObservableGauge("postbote.queue.oldest.age", ObserveAges, "s", "Age of the oldest message in the spool, by state (0 when empty)");
    }

    /// <summary>The spool's contents, read by the queue gauges.</summary>
    public SpoolCensus Census { get; } = new();

    public void Queued(QueuedMessage envelope)
    {
        Census.Add(envelope.QueueId, QueueState.Active, envelope.ArrivalTime);
        _queued.Add(1);
        _queuedBytes.Add(envelope.Size);
    }

    /// <summary>One recipient's attempt outcome as the mail log writes it (status sent, deferred, bounced or expired).</summary>
    public void Attempted(string status, TimeSpan delay)
    {
        var (counter, tags) = status switch
        {
            "sent" => (_delivered, _sent),
            "deferred" => (_deferred, _deferredTag),
            "expired" => (_expired, _expiredTag),
            _ => (_bounced, _bouncedTag),
        };
        counter.Add(1);
        _attempts.Add(1, tags);
        _delay.Record(Math.Max(0, delay.TotalSeconds), tags);
    }

    public void Synced(TimeSpan took, int files)
    {
        _sync.Record(took.TotalSeconds);
        _batch.Record(files);
    }

    private IEnumerable<Measurement<long>> ObserveSizes()
    {
        for (int i = 0; i < GaugedStates.Length; i++)
            yield return new Measurement<long>(Census.Of(GaugedStates[i]).Count, _stateTags[i]);
    }

    private IEnumerable<Measurement<double>> ObserveAges()
    {
        var now = _time.GetUtcNow();
        for (int i = 0; i < GaugedStates.Length; i++)
        {
            var oldest = Census.Of(GaugedStates[i]).Oldest;
            yield return new Measurement<double>(oldest is null ? 0 : Math.Max(0, (now - oldest.Value).TotalSeconds), _stateTags[i]);
        }
    }

    private static KeyValuePair<string, object?> Status(string s) => new("status", s);
}
