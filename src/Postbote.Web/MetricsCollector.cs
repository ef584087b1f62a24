using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Postbote.Web;

/// <summary>
/// Listens to one server's instruments (the meters its <see cref="IMeterFactory"/> made, named Postbote*) and to
/// the runtime's own "System.Runtime" meter, and keeps their running values for <see cref="PrometheusTextWriter"/>.
/// Meters of another server in the same process have another factory as their scope and are not mixed in.
/// A measurement costs a short scan of its instrument's series and one Interlocked operation; nothing is allocated
/// once a label set has been seen.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>The meter every Postbote area creates its instruments on.</summary>
    public const string MeterName = "Postbote";
    /// <summary>The runtime's built-in meter (.NET 9+): GC, heap, thread pool, JIT, exceptions.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();
    private readonly Lock _observe = new();
    private readonly object? _scope;
    private readonly bool _runtime;

    /// <param name="scope">The factory whose Postbote meters are collected (null: meters created without a factory).</param>
    /// <param name="includeRuntime">Also collect the process-wide System.Runtime meter.</param>
    public MetricsCollector(IMeterFactory? scope, bool includeRuntime = true)
    {
        _scope = scope;
        _runtime = includeRuntime;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!Wanted(instrument)) return;
            var series = _instruments.GetOrAdd(instrument, i => new InstrumentSeries(i));
            listener.EnableMeasurementEvents(instrument, series);
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentSeries? _);
        _listener.SetMeasurementEventCallback<long>((i, v, tags, state) => Record((InstrumentSeries)state!, v, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, state) => Record((InstrumentSeries)state!, v, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, state) => Record((InstrumentSeries)state!, null, v, tags));
        _listener.Start();
    }

    private bool Wanted(Instrument instrument)
    {
        var meter = instrument.Meter;
        if (meter.Name == RuntimeMeterName) return _runtime;
        return ReferenceEquals(meter.Scope, _scope) && meter.Name.StartsWith(MeterName, StringComparison.Ordinal);
    }

    /// <summary>One measurement: counters keep whole numbers exactly when the instrument gives them (<paramref name="whole"/>).</summary>
    private static void Record(InstrumentSeries instrument, long? whole, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = instrument.Find(tags);
        if (series is null) return;
        switch (instrument.Kind)
        {
            case MetricKind.Counter or MetricKind.UpDownCounter:
                if (whole is { } w) series.Add(w);
                else series.Add(value);
                break;
            case MetricKind.Histogram: series.Observe(value); break;
            default: series.Set(value); break;
        }
    }

    /// <summary>Reads the observable instruments (queue gauges, runtime) and returns every instrument's series, sorted by name.</summary>
    public IReadOnlyList<InstrumentSnapshot> Collect()
    {
        lock (_observe) _listener.RecordObservableInstruments();
        return _instruments.Values
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new InstrumentSnapshot(s))
            .ToList();
    }

    public void Dispose() => _listener.Dispose();
}
