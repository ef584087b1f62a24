using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;
using Postbote.TestSupport.Peers;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.Metrics;

/// <summary>Issue 15 (metrics): the outbound side in a scrape: connections, TLS outcome, bytes sent, DNS queries, deferrals.</summary>
public sealed class DeliveryMetricsTests
{
    private const int Messages = 3;

    [Fact]
    public async Task MessagesRelayedToAnMx_MoveConnectionsTlsSentBytesAndDnsQueries()
    {
        if (SmtpSink.UnavailableReason is { } reason) Assert.Fail($"peer not available: {reason} (scripts/install-test-deps.sh installs it; run as root)");
        await using var sink = new SmtpSink(dumpMessages: false);
        await sink.StartAsync();
        using var dns = new TestDnsServer().AddMx("sink.test", 5, "in.sink.test").AddA("in.sink.test", "127.0.0.1");
        await using var server = await StartServerAsync(dns, sink.Port, o => o.Http = new Postbote.Configuration.HttpOptions { Endpoint = "127.0.0.1:0" });
        var before = await MetricsScrape.TakeAsync(server);

        for (int i = 0; i < Messages; i++)
            await SubmitTrustedAsync(server, "alice@client.test", $"carol{i}@sink.test", Message("alice@client.test", $"carol{i}@sink.test", $"metrics {i}"));
        Assert.True(await sink.WaitForMessageCountAsync(Messages, Deadline), "smtp-sink got " + sink.MessageCount + ":\n" + Dump(server));
        Assert.True(await PollAsync(server.IsSpoolEmpty), "the spool still holds:\n" + Dump(server));
        MetricsScrape after = before;
        Assert.True(await PollAsync(() =>
        {
            after = MetricsScrape.TakeAsync(server).GetAwaiter().GetResult();
            return after["postbote_messages_delivered_total"] - before["postbote_messages_delivered_total"] >= Messages;
        }), "delivered did not move by N:\n" + after.Text);

        long bytes = server.Log.Lines.Where(l => l.Contains(": queued from=<alice@client.test>"))
            .Sum(l => long.Parse(Regex.Match(l, @"size=(\d+)").Groups[1].Value));
        double opened = after["postbote_delivery_connections_total{result=\"ok\"}"] - before["postbote_delivery_connections_total{result=\"ok\"}"];
        Assert.InRange(opened, 1, Messages); // cached connections are reused
        Assert.Equal(opened, after["postbote_delivery_tls_total{outcome=\"plaintext\"}"] - before["postbote_delivery_tls_total{outcome=\"plaintext\"}"]);
        Assert.Equal(bytes, after["postbote_sent_bytes_total"] - before["postbote_sent_bytes_total"]);
        Assert.Equal(Messages, after["postbote_messages_delivered_total"] - before["postbote_messages_delivered_total"]);
        double mx = after["postbote_dns_queries_total{type=\"MX\"}"] - before["postbote_dns_queries_total{type=\"MX\"}"];
        Assert.True(mx >= 1, "no MX query counted:\n" + after.Text);
        Assert.Equal(after.Sum("postbote_dns_queries_total"), after.Sum("postbote_dns_query_duration_seconds_count"));
    }

    [Fact]
    public async Task AnMxThatHangsUpAtOnce_CountsAFailedConnectionAndADeferral()
    {
        using var peer = new TcpListener(IPAddress.Loopback, 0);
        peer.Start();
        using var stop = new CancellationTokenSource(Deadline);
        // A peer that accepts and closes before the greeting: the connection fails before MAIL.
        var hangUp = Task.Run(async () =>
        {
            for (int i = 0; i < 100 && !stop.IsCancellationRequested; i++)
            {
                try { using var c = await peer.AcceptTcpClientAsync(stop.Token); }
                catch (OperationCanceledException) { return; }
            }
        });
        using var dns = new TestDnsServer().AddMx("down.test", 5, "in.down.test").AddA("in.down.test", "127.0.0.1");
        await using var server = await StartServerAsync(dns, ((IPEndPoint)peer.LocalEndpoint).Port,
            o => o.Http = new Postbote.Configuration.HttpOptions { Endpoint = "127.0.0.1:0" });
        var before = await MetricsScrape.TakeAsync(server);

        await SubmitTrustedAsync(server, "alice@client.test", "dave@down.test", Message("alice@client.test", "dave@down.test", "deferred"));
        MetricsScrape after = before;
        Assert.True(await PollAsync(() =>
        {
            after = MetricsScrape.TakeAsync(server).GetAwaiter().GetResult();
            return after["postbote_messages_deferred_total"] - before["postbote_messages_deferred_total"] >= 1;
        }), "deferred did not move:\n" + after.Text + "\n" + Dump(server));

        Assert.Equal(1, after["postbote_messages_deferred_total"] - before["postbote_messages_deferred_total"]);
        Assert.Equal(1, after["postbote_delivery_attempts_total{status=\"deferred\"}"] - before["postbote_delivery_attempts_total{status=\"deferred\"}"]);
        Assert.True(after["postbote_delivery_connections_total{result=\"failed\"}"] - before["postbote_delivery_connections_total{result=\"failed\"}"] >= 1,
            "no failed connection counted:\n" + after.Text);
        Assert.Equal(0, after["postbote_messages_delivered_total"] - before["postbote_messages_delivered_total"]);
        Assert.Equal(1, after["postbote_queue_messages{state=\"active\"}"]);
        stop.Cancel();
        await hangUp;
    }
}
