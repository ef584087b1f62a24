using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ARSoft.Tools.Net.Dns;

namespace Postbote.Dns;

/// <summary>The resolver's instruments (meter "Postbote"; docs/metrics.md): queries and their latency by record type.</summary>
public sealed class DnsMetrics
{
    private readonly Counter<long> _queries;
    private readonly Histogram<double> _latency;
    private readonly ConcurrentDictionary<RecordType, KeyValuePair<string, object?>[]> _typeTags = new();

    public DnsMetrics(IMeterFactory? meters = null)
    {
        var meter = meters?.Create("Postbote") ?? new Meter("Postbote");
        _queries = meter.CreateCounter<long>("postbote.dns.queries", "{query}", "DNS queries sent by the resolver, by record type");
        _latency = meter.CreateHistogram<double>("postbote.dns.query.duration", "s", "Time to an answer (or to giving up) of one DNS query, by record type",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = new[] { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 } });
    }

    /// <summary>Counts a query now and records its duration when disposed (<c>using var _ = Metrics.Measure(type);</c>).</summary>
    public QueryTiming Measure(RecordType type)
    {
        var tags = _typeTags.GetOrAdd(type, static t => new[] { new KeyValuePair<string, object?>("type", t.ToString().ToUpperInvariant()) });
        _queries.Add(1, tags);
        return new QueryTiming(this, tags, Stopwatch.GetTimestamp());
    }

    /// <summary>One query in progress.</summary>
    public readonly struct QueryTiming : IDisposable
    {
        private readonly DnsMetrics? _metrics;
        private readonly KeyValuePair<string, object?>[] _tags;
        private readonly long _started;

        internal QueryTiming(DnsMetrics metrics, KeyValuePair<string, object?>[] tags, long started)
        {
            _metrics = metrics;
            _tags = tags;
            _started = started;
        }

        public void Dispose() => _metrics?._latency.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, _tags);
    }
}
