namespace Postbote.Web;

/// <summary>How an instrument's measurements combine, and which Prometheus type it is exposed as.</summary>
public enum MetricKind
{
    /// <summary>Counter: measurements are increments (Prometheus counter).</summary>
    Counter,
    /// <summary>UpDownCounter: increments that may be negative (Prometheus gauge).</summary>
    UpDownCounter,
    /// <summary>Histogram: each measurement lands in a bucket (Prometheus histogram).</summary>
    Histogram,
    /// <summary>ObservableCounter: an absolute running total read at scrape time (Prometheus counter).</summary>
    ObservableCounter,
    /// <summary>ObservableGauge/ObservableUpDownCounter: a value read at scrape time (Prometheus gauge).</summary>
    ObservableGauge,
    /// <summary>Gauge: the last recorded value (Prometheus gauge).</summary>
    Gauge,
}
