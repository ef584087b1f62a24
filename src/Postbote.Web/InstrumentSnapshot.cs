namespace Postbote.Web;

/// <summary>One instrument as a scrape sees it: its Prometheus name, type, help text and series.</summary>
public sealed class InstrumentSnapshot
{
    internal InstrumentSnapshot(InstrumentSeries series)
    {
        Name = series.Name;
        Kind = series.Kind;
        Help = series.Instrument.Description ?? "";
        Series = series.Series;
    }

    public string Name { get; }
    public MetricKind Kind { get; }
    public string Help { get; }
    internal IReadOnlyList<MetricSeries> Series { get; }
}
