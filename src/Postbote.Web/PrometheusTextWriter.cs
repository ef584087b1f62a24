using System.Globalization;
using System.Text;

namespace Postbote.Web;

/// <summary>
/// The Prometheus text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
/// # HELP and # TYPE once per family, one line per series, histograms as cumulative _bucket{le=...}, _sum, _count.
/// </summary>
public static class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IReadOnlyList<InstrumentSnapshot> instruments)
    {
        var sb = new StringBuilder(16 * 1024);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instrument in instruments)
        {
            // Two instruments with one name (a meter created twice) are one family: the first wins.
            if (instrument.Series.Count == 0 || !seen.Add(instrument.Name)) continue;
            string type = instrument.Kind switch
            {
                MetricKind.Counter or MetricKind.ObservableCounter => "counter",
                MetricKind.Histogram => "histogram",
                _ => "gauge",
            };
            sb.Append("# HELP ").Append(instrument.Name).Append(' ');
            EscapeHelp(sb, instrument.Help);
            sb.Append('\n').Append("# TYPE ").Append(instrument.Name).Append(' ').Append(type).Append('\n');
            foreach (var series in instrument.Series)
            {
                if (instrument.Kind == MetricKind.Histogram) WriteHistogram(sb, instrument.Name, series);
                else
                {
                    sb.Append(instrument.Name);
                    Labels(sb, series, null);
                    sb.Append(' ');
                    Number(sb, series.Value);
                    sb.Append('\n');
                }
            }
        }
        return sb.ToString();
    }

    private static void WriteHistogram(StringBuilder sb, string name, MetricSeries series)
    {
        long cumulative = 0;
        var bounds = series.Bounds;
        for (int i = 0; i <= bounds.Length; i++)
        {
            cumulative += series.BucketCount(i);
            sb.Append(name).Append("_bucket");
            Labels(sb, series, i < bounds.Length ? Format(bounds[i]) : "+Inf");
            sb.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        sb.Append(name).Append("_sum");
        Labels(sb, series, null);
        sb.Append(' ');
        Number(sb, series.Value);
        sb.Append('\n').Append(name).Append("_count");
        Labels(sb, series, null);
        // The count is the +Inf bucket, read once above, so that the two always agree.
        sb.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Labels(StringBuilder sb, MetricSeries series, string? le)
    {
        if (series.LabelNames.Length == 0 && le is null) return;
        sb.Append('{');
        for (int i = 0; i < series.LabelNames.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(series.LabelNames[i]).Append("=\"");
            EscapeValue(sb, series.LabelValues[i]);
            sb.Append('"');
        }
        if (le is not null) sb.Append(series.LabelNames.Length > 0 ? "," : "").Append("le=\"").Append(le).Append('"');
        sb.Append('}');
    }

    private static void Number(StringBuilder sb, double value) => sb.Append(Format(value));

    internal static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static void EscapeValue(StringBuilder sb, string value)
    {
        foreach (char c in value)
        {
            if (c == '\\') sb.Append("\\\\");
            else if (c == '"') sb.Append("\\\"");
            else if (c == '\n') sb.Append("\\n");
            else sb.Append(c);
        }
    }

    private static void EscapeHelp(StringBuilder sb, string help)
    {
        foreach (char c in help)
        {
            if (c == '\\') sb.Append("\\\\");
            else if (c == '\n') sb.Append("\\n");
            else sb.Append(c);
        }
    }
}
