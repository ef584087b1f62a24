using System.Diagnostics.Metrics;

namespace Postbote.Web.Tests;

/// <summary>Prometheus naming conventions (prometheus.io/docs/practices/naming): base units as suffixes, counters end in _total.</summary>
public sealed class PrometheusNamesTests
{
    [Theory]
    [InlineData("postbote.messages.received", "{message}", true, "postbote_messages_received_total")]
    [InlineData("postbote.delivery.delay", "s", false, "postbote_delivery_delay_seconds")]
    [InlineData("postbote.received", "By", true, "postbote_received_bytes_total")]
    [InlineData("postbote.queue.messages", "{message}", false, "postbote_queue_messages")]
    [InlineData("dotnet.gc.pause.time", "s", true, "dotnet_gc_pause_time_seconds_total")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", true, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("already_total", null, true, "already_total")]
    [InlineData("dotnet.assembly.count", "{assembly}", false, "dotnet_assemblies_loaded")]
    [InlineData("some.gauge.count", null, false, "some_gauge_count_value")]
    [InlineData("9lives-of.a/cat", null, false, "_9lives_of_a_cat")]
    public void InstrumentNames_BecomePrometheusNames(string name, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusNames.Of(name, unit, counter));

    [Theory]
    [InlineData("gc.heap.generation", "gc_heap_generation")]
    [InlineData("error.type", "error_type")]
    [InlineData("listener", "listener")]
    public void TagNames_BecomeLabelNames(string tag, string expected) => Assert.Equal(expected, PrometheusNames.Label(tag));

    [Fact]
    public void EveryPostboteInstrument_HasAValidConventionalName()
    {
        using var factory = new TestMeterFactory();
        using var collector = new MetricsCollector(factory, includeRuntime: false);
        _ = new Postbote.Smtpd.SmtpdMetrics(factory);
        _ = new Postbote.Queue.QueueMetrics(factory);
        _ = new Postbote.Delivery.DeliveryMetrics(factory);
        _ = new Postbote.Dns.DnsMetrics(factory);
        var meter = factory.Meters.Single();
        var names = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, _) => { if (ReferenceEquals(i.Meter, meter)) names.Add(PrometheusNames.Of(i) + "|" + i.GetType().Name + "|" + i.Unit); },
        };
        listener.Start();
        Assert.True(names.Count >= 25, string.Join("\n", names));
        foreach (var entry in names)
        {
            var (name, type, unit) = (entry.Split('|')[0], entry.Split('|')[1], entry.Split('|')[2]);
            Assert.True(PrometheusNames.IsValidMetricName(name), name);
            Assert.StartsWith("postbote_", name);
            Assert.Equal(type.StartsWith("Counter", StringComparison.Ordinal), name.EndsWith("_total", StringComparison.Ordinal));
            if (unit == "s") Assert.Contains("_seconds", name);
            if (unit == "By") Assert.Contains("_bytes", name);
            Assert.DoesNotContain("__", name);
        }
        Assert.Equal(names.Count, names.Select(n => n.Split('|')[0]).Distinct().Count());
    }
}
