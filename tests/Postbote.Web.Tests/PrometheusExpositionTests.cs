using System.Diagnostics.Metrics;

namespace Postbote.Web.Tests;

/// <summary>The text exposition (format 0.0.4) of what the collector saw, and the cost of a measurement.</summary>
public sealed class PrometheusExpositionTests
{
    [Fact]
    public void CountersGaugesAndHistograms_AreExposedWithTypeHelpAndEscapedLabels()
    {
        using var factory = new TestMeterFactory();
        using var collector = new MetricsCollector(factory, includeRuntime: false);
        var meter = factory.Create(new MeterOptions("Postbote"));
        var received = meter.CreateCounter<long>("postbote.messages.received", "{message}", "Messages accepted");
        var delay = meter.CreateHistogram<double>("postbote.delivery.delay", "s", "Delay",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = new[] { 1.0, 10.0 } });
        meter.CreateObservableGauge("postbote.queue.messages", () => new Measurement<long>(7, new KeyValuePair<string, object?>("state", "active")), "{message}", "Queue");
        var mx = new KeyValuePair<string, object?>[] { new("listener", "mx \"main\"\\\n") };

        received.Add(2, mx);
        received.Add(3, mx);
        delay.Record(0.5);
        delay.Record(5);
        delay.Record(50);

        var text = PrometheusTextWriter.Write(collector.Collect());
        Assert.Contains("# HELP postbote_messages_received_total Messages accepted\n# TYPE postbote_messages_received_total counter\n", text);
        Assert.Contains("postbote_messages_received_total{listener=\"mx \\\"main\\\"\\\\\\n\"} 5\n", text);
        Assert.Contains("# TYPE postbote_delivery_delay_seconds histogram\n", text);
        Assert.Contains("postbote_delivery_delay_seconds_bucket{le=\"1\"} 1\npostbote_delivery_delay_seconds_bucket{le=\"10\"} 2\npostbote_delivery_delay_seconds_bucket{le=\"+Inf\"} 3\n", text);
        Assert.Contains("postbote_delivery_delay_seconds_sum 55.5\npostbote_delivery_delay_seconds_count 3\n", text);
        Assert.Contains("# TYPE postbote_queue_messages gauge\npostbote_queue_messages{state=\"active\"} 7\n", text);
    }

    [Fact]
    public void AnotherServersMeters_AreNotMixedIn()
    {
        using var ours = new TestMeterFactory();
        using var theirs = new TestMeterFactory();
        using var collector = new MetricsCollector(ours, includeRuntime: false);
        var a = ours.Create(new MeterOptions("Postbote")).CreateCounter<long>("postbote.messages.received");
        var b = theirs.Create(new MeterOptions("Postbote")).CreateCounter<long>("postbote.messages.received");
        a.Add(1);
        b.Add(100);
        Assert.Contains("postbote_messages_received_total 1\n", PrometheusTextWriter.Write(collector.Collect()));
    }

    [Fact]
    public void ACounterIncrementWithAPrebuiltTagList_AllocatesNothing()
    {
        using var factory = new TestMeterFactory();
        using var collector = new MetricsCollector(factory, includeRuntime: false);
        var counter = factory.Create(new MeterOptions("Postbote")).CreateCounter<long>("postbote.smtpd.commands");
        var histogram = factory.Create(new MeterOptions("Postbote")).CreateHistogram<double>("postbote.spool.sync.duration", "s");
        var tags = new KeyValuePair<string, object?>[] { new("verb", "MAIL"), new("class", "2xx") };
        counter.Add(1, tags); // the first measurement of a label set creates its series
        histogram.Record(0.001);

        Assert.Equal(0, AllocationProbe.FewestBytes(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                counter.Add(1, tags);
                histogram.Record(0.002);
            }
        }));
        Assert.Contains("postbote_smtpd_commands_total{class=\"2xx\",verb=\"MAIL\"} 30001\n", PrometheusTextWriter.Write(collector.Collect()));
    }
}
