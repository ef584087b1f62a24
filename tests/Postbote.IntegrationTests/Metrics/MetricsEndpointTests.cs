using System.Text.RegularExpressions;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;

namespace Postbote.IntegrationTests.Metrics;

/// <summary>
/// Issue 15 (metrics): a Prometheus scrape of /metrics on the HTTP listener (Http:Endpoint, here 127.0.0.1 port 0)
/// shows the counters move by exactly what was sent, refused and failed.
/// </summary>
public sealed class MetricsEndpointTests
{
    private const int Messages = 5;

    private static Task<PostboteTestServer> StartAsync() =>
        LocalMail.StartDeliveringAsync(o => o.Http = new Postbote.Configuration.HttpOptions { Endpoint = "127.0.0.1:0" });

    [Fact]
    public async Task AfterNMessagesAreDelivered_ReceivedQueuedDeliveredAndBytes_MoveByExactlyN()
    {
        await using var server = await StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        var before = await MetricsScrape.TakeAsync(server);

        for (int i = 0; i < Messages; i++)
            await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("alice@remote.example", "bob@test.local", $"metrics {i}", $"body {i}"),
                "alice@remote.example", "bob@test.local");
        await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"), Messages);
        await LocalMail.WaitForEmptyQueueAsync(server);

        MetricsScrape after = before;
        Assert.True(await LocalMail.WaitUntilAsync(() =>
        {
            after = MetricsScrape.TakeAsync(server).GetAwaiter().GetResult();
            return after["postbote_messages_delivered_total"] - before["postbote_messages_delivered_total"] >= Messages;
        }), "delivered counter did not move by N:\n" + after.Text);

        long bytes = server.Log.Lines.Where(l => l.Contains(": queued from=<alice@remote.example>"))
            .Sum(l => long.Parse(Regex.Match(l, @"size=(\d+)").Groups[1].Value));
        Assert.Equal(Messages, after["postbote_messages_received_total{listener=\"mx\"}"] - before["postbote_messages_received_total{listener=\"mx\"}"]);
        Assert.Equal(Messages, after["postbote_messages_queued_total"] - before["postbote_messages_queued_total"]);
        Assert.Equal(Messages, after["postbote_messages_delivered_total"] - before["postbote_messages_delivered_total"]);
        Assert.Equal(Messages, after["postbote_delivery_attempts_total{status=\"sent\"}"] - before["postbote_delivery_attempts_total{status=\"sent\"}"]);
        Assert.Equal(Messages, after["postbote_delivery_delay_seconds_count{status=\"sent\"}"] - before["postbote_delivery_delay_seconds_count{status=\"sent\"}"]);
        Assert.Equal(bytes, after["postbote_received_bytes_total"] - before["postbote_received_bytes_total"]);
        Assert.Equal(bytes, after["postbote_queued_bytes_total"] - before["postbote_queued_bytes_total"]);
        Assert.Equal(Messages, after["postbote_smtpd_connections_total{listener=\"mx\"}"] - before["postbote_smtpd_connections_total{listener=\"mx\"}"]);
        Assert.Equal(Messages, after["postbote_smtpd_sessions_ended_total{listener=\"mx\",reason=\"quit\"}"] - before["postbote_smtpd_sessions_ended_total{listener=\"mx\",reason=\"quit\"}"]);
        Assert.Equal(Messages, after["postbote_smtpd_commands_total{class=\"2xx\",verb=\"MAIL\"}"] - before["postbote_smtpd_commands_total{class=\"2xx\",verb=\"MAIL\"}"]);
        Assert.Equal(0, after["postbote_smtpd_connections_active{listener=\"mx\"}"]);
        Assert.Equal(0, after["postbote_queue_messages{state=\"active\"}"]);
        Assert.True(after.Sum("postbote_spool_sync_duration_seconds_count") >= Messages, "spool syncs not measured:\n" + after.Text);
        Assert.True(after.Sum("dotnet_gc_collections_total") >= 0 && after.Series.Keys.Any(k => k.StartsWith("dotnet_", StringComparison.Ordinal)),
            "the System.Runtime meter is missing:\n" + after.Text);
    }

    [Fact]
    public async Task RefusedRecipients_MoveTheRejectCounter_ByReason()
    {
        await using var server = await StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        var before = await MetricsScrape.TakeAsync(server);

        await using (var client = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            await client.ReadAsync();
            await client.CommandAsync("EHLO client.example");
            Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<alice@remote.example>"));
            Assert.StartsWith("550", await client.CommandAsync("RCPT TO:<nobody@test.local>"));
            Assert.StartsWith("554", await client.CommandAsync("RCPT TO:<carol@elsewhere.example>"));
            Assert.StartsWith("554", await client.CommandAsync("RCPT TO:<dave@elsewhere.example>"));
            Assert.StartsWith("221", await client.CommandAsync("QUIT"));
        }
        var after = await MetricsScrape.TakeAsync(server);

        Assert.Equal(1, after["postbote_smtpd_rejects_total{reason=\"recipient\"}"] - before["postbote_smtpd_rejects_total{reason=\"recipient\"}"]);
        Assert.Equal(2, after["postbote_smtpd_rejects_total{reason=\"relay\"}"] - before["postbote_smtpd_rejects_total{reason=\"relay\"}"]);
        Assert.Equal(3, after["postbote_smtpd_commands_total{class=\"5xx\",verb=\"RCPT\"}"] - before["postbote_smtpd_commands_total{class=\"5xx\",verb=\"RCPT\"}"]);
        Assert.Equal(0, after["postbote_messages_received_total{listener=\"mx\"}"] - before["postbote_messages_received_total{listener=\"mx\"}"]);
    }

    [Fact]
    public async Task AFailedAndASuccessfulAuth_MoveTheAuthCounter_ByMechanismAndResult()
    {
        await using var server = await StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        var before = await MetricsScrape.TakeAsync(server);

        using (var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            await client.ConnectAsync("127.0.0.1", server.SubmissionPort, SecureSocketOptions.StartTls).WaitAsync(LocalMail.Deadline);
            await Assert.ThrowsAsync<AuthenticationException>(() =>
                client.AuthenticateAsync(new SaslMechanismPlain("bob@test.local", "wrong password")).WaitAsync(LocalMail.Deadline));
            await client.AuthenticateAsync(new SaslMechanismPlain("bob@test.local", "pw-bob-1")).WaitAsync(LocalMail.Deadline);
            await client.DisconnectAsync(true).WaitAsync(LocalMail.Deadline);
        }
        var after = await MetricsScrape.TakeAsync(server);

        const string failed = "postbote_smtpd_auth_total{mechanism=\"PLAIN\",result=\"failure\"}";
        const string succeeded = "postbote_smtpd_auth_total{mechanism=\"PLAIN\",result=\"success\"}";
        Assert.Equal(1, after[failed] - before[failed]);
        Assert.Equal(1, after[succeeded] - before[succeeded]);
        Assert.Equal(1, after["postbote_smtpd_connections_total{listener=\"submission\"}"] - before["postbote_smtpd_connections_total{listener=\"submission\"}"]);
    }

    [RequiresToolFact("promtool")]
    public async Task TheScrape_PassesPromtoolCheckMetrics()
    {
        await using var server = await StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("alice@remote.example", "bob@test.local", "lint", "body"),
            "alice@remote.example", "bob@test.local");
        await LocalMail.WaitForEmptyQueueAsync(server);
        var scrape = await MetricsScrape.TakeAsync(server);
        Assert.Contains("# TYPE postbote_messages_received_total counter", scrape.Text);
        Assert.Contains("# TYPE postbote_delivery_delay_seconds histogram", scrape.Text);

        var result = await ExternalTool.RunAsync("promtool", new[] { "check", "metrics" }, stdin: scrape.Text, timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, "promtool check metrics:\n" + result.Output + "\n---\n" + scrape.Text);
    }
}
