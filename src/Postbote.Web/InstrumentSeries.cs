using System.Diagnostics.Metrics;
using System.Globalization;

namespace Postbote.Web;

/// <summary>
/// The series of one instrument. Finding a measurement's series is a scan of a small copy-on-write array
/// (the label sets are few and pre-built by the instruments' owners); a new label set takes a lock once.
/// </summary>
internal sealed class InstrumentSeries
{
    /// <summary>Series kept per instrument at most: a guard against a label fed from client input.</summary>
    public const int MaxSeries = 2000;

    private static readonly double[] DefaultBounds = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
    private volatile MetricSeries[] _series = Array.Empty<MetricSeries>();
    private readonly Lock _grow = new();
    private readonly double[]? _bounds;

    public InstrumentSeries(Instrument instrument)
    {
        Instrument = instrument;
        Name = PrometheusNames.Of(instrument);
        Kind = KindOf(instrument);
        if (Kind == MetricKind.Histogram) _bounds = BoundsOf(instrument);
    }

    public Instrument Instrument { get; }
    public string Name { get; }
    public MetricKind Kind { get; }
    public IReadOnlyList<MetricSeries> Series => _series;

    public MetricSeries? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var all = _series;
        for (int i = 0; i < all.Length; i++) if (all[i].Matches(tags)) return all[i];
        return Add(tags);
    }

    private MetricSeries? Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_grow)
        {
            var all = _series;
            foreach (var s in all) if (s.Matches(tags)) return s;
            if (all.Length >= MaxSeries) return null;
            var copy = tags.ToArray();
            var sorted = copy.OrderBy(t => t.Key, StringComparer.Ordinal).ToArray();
            var names = sorted.Select(t => PrometheusNames.Label(t.Key)).ToArray();
            var values = sorted.Select(t => Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "").ToArray();
            var series = new MetricSeries(copy, names, values, _bounds);
            var grown = new MetricSeries[all.Length + 1];
            all.CopyTo(grown, 0);
            grown[^1] = series;
            _series = grown;
            return series;
        }
    }

    private static MetricKind KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (definition == typeof(Counter<>)) return MetricKind.Counter;
        if (definition == typeof(UpDownCounter<>)) return MetricKind.UpDownCounter;
        if (definition == typeof(Histogram<>)) return MetricKind.Histogram;
        if (definition == typeof(ObservableCounter<>)) return MetricKind.ObservableCounter;
        if (definition == typeof(Gauge<>)) return MetricKind.Gauge;
        return MetricKind.ObservableGauge; // ObservableGauge<>, ObservableUpDownCounter<>
    }

    private static double[] BoundsOf(Instrument instrument)
    {
        IReadOnlyList<double>? advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        return advised is { Count: > 0 } ? advised.ToArray() : DefaultBounds;
    }
}
