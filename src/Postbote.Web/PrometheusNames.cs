using System.Diagnostics.Metrics;
using System.Collections.Frozen;
using System.Text;

namespace Postbote.Web;

/// <summary>
/// Prometheus names for System.Diagnostics.Metrics instruments, after OpenTelemetry's Prometheus compatibility rules:
/// dots and other invalid characters become underscores, the unit becomes a suffix (s: _seconds, By: _bytes;
/// annotations in braces such as {message} add none), counters end in _total.
/// </summary>
public static class PrometheusNames
{
    /// <summary>The metric family name of an instrument, e.g. postbote.messages.received (counter) → postbote_messages_received_total.</summary>
    public static string Of(Instrument instrument) => Of(instrument.Name, instrument.Unit, IsCounter(instrument));

    public static string Of(string name, string? unit, bool counter)
    {
        var sb = new StringBuilder(name.Length + 16);
        Sanitize(name, sb, metric: true);
        string suffix = unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            "1" when !counter => "_ratio",
            _ => "",
        };
        if (suffix.Length > 0 && !EndsWith(sb, suffix)) sb.Append(suffix);
        if (counter && !EndsWith(sb, "_total")) sb.Append("_total");
        string result = sb.ToString();
        // _count, _sum and _bucket belong to histograms (promtool check metrics): a gauge or counter named so is renamed.
        if (!counter && RuntimeGaugeNames.TryGetValue(result, out var renamed)) return renamed;
        if (!counter && (result.EndsWith("_count", StringComparison.Ordinal) || result.EndsWith("_sum", StringComparison.Ordinal)
            || result.EndsWith("_bucket", StringComparison.Ordinal))) return result + "_value";
        return result;
    }

    /// <summary>The System.Runtime gauges whose OpenTelemetry names end in .count, named as Prometheus's own exporters would.</summary>
    private static readonly FrozenDictionary<string, string> RuntimeGaugeNames = new Dictionary<string, string>
    {
        ["dotnet_assembly_count"] = "dotnet_assemblies_loaded",
        ["dotnet_process_cpu_count"] = "dotnet_process_cpus",
        ["dotnet_timer_count"] = "dotnet_timers",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>A label name: [a-zA-Z_][a-zA-Z0-9_]*, e.g. gc.heap.generation → gc_heap_generation.</summary>
    public static string Label(string tag)
    {
        var sb = new StringBuilder(tag.Length);
        Sanitize(tag, sb, metric: false);
        return sb.ToString();
    }

    /// <summary>Monotonic sums are Prometheus counters; up-down counters and gauges are gauges.</summary>
    public static bool IsCounter(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType) return false;
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>);
    }

    /// <summary>True when a family name follows the conventions (used by the exporter's tests).</summary>
    public static bool IsValidMetricName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] is '_' or ':')) return false;
        foreach (char c in name) if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or ':')) return false;
        return true;
    }

    private static void Sanitize(string name, StringBuilder sb, bool metric)
    {
        foreach (char c in name)
        {
            bool ok = char.IsAsciiLetterOrDigit(c) || c == '_' || (metric && c == ':');
            char o = ok ? char.ToLowerInvariant(c) : '_';
            if (o == '_' && sb.Length > 0 && sb[^1] == '_') continue;
            sb.Append(o);
        }
        if (sb.Length == 0 || char.IsAsciiDigit(sb[0])) sb.Insert(0, '_');
    }

    private static bool EndsWith(StringBuilder sb, string suffix)
    {
        if (sb.Length < suffix.Length) return false;
        for (int i = 0; i < suffix.Length; i++) if (sb[sb.Length - suffix.Length + i] != suffix[i]) return false;
        return true;
    }
}
