using System.Diagnostics;
using System.Net;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;
using Postbote.TestSupport.Peers;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.RemoteDelivery;

/// <summary>
/// Issue 17: one stuck destination must never hold up mail for the others. Scripted peers on loopback play a black
/// hole, a tarpit, a 421 host and a host that drops after RCPT beside a healthy MX, all on one port (the server
/// delivers to every MX on one port) at different 127.0.0.x addresses.
/// </summary>
public sealed class Issue17_DestinationFairnessTests
{
    /// <summary>The healthy peer on 127.0.0.1 and port 0; the hostile ones share its port.</summary>
    private static (ScriptedSmtpPeer Healthy, int Port) StartHealthy() { var p = new ScriptedSmtpPeer(new SmtpPeerScript()); return (p, p.Port); }

    private static HostileSmtpPeer Hostile(HostileBehaviour behaviour, string address, int port) => new(behaviour, new IPEndPoint(IPAddress.Parse(address), port));

    private static TestDnsServer Dns() => new TestDnsServer()
        .AddMx("healthy.test", 10, "mx.healthy.test").AddA("mx.healthy.test", "127.0.0.1")
        .AddMx("blackhole.test", 10, "mx.blackhole.test").AddA("mx.blackhole.test", "127.0.0.3")
        .AddMx("tarpit.test", 10, "mx.tarpit.test").AddA("mx.tarpit.test", "127.0.0.4")
        .AddMx("refuse.test", 10, "mx.refuse.test").AddA("mx.refuse.test", "127.0.0.5")
        .AddMx("dropper.test", 10, "mx.dropper.test").AddA("mx.dropper.test", "127.0.0.6");

    [Fact]
    public async Task RemoteDelivery_BlackHoleHolding100Messages_DoesNotStallMailForAHealthyDestination()
    {
        var (healthy, port) = StartHealthy();
        await using var _h = healthy;
        await using var blackHole = Hostile(HostileBehaviour.BlackHole, "127.0.0.3", port);
        await using var tarpit = Hostile(HostileBehaviour.Tarpit, "127.0.0.4", port);
        await using var refuse = Hostile(HostileBehaviour.Refuse421, "127.0.0.5", port);
        await using var dropper = Hostile(HostileBehaviour.DropAfterRcpt, "127.0.0.6", port);
        using var dns = Dns();
        await using var server = await StartServerAsync(dns, port);

        // 100 for the black hole and 20 for the tarpit: more than they can take, so both hold every session they may.
        await SubmitManyAsync(server, "bob@blackhole.test", 100);
        await SubmitManyAsync(server, "bob@tarpit.test", 20);
        await SubmitManyAsync(server, "bob@refuse.test", 20);
        await SubmitManyAsync(server, "bob@dropper.test", 20);
        Assert.True(await PollAsync(() => blackHole.OpenConnections >= 5 && tarpit.OpenConnections >= 5), $"black hole {blackHole.OpenConnections}, tarpit {tarpit.OpenConnections} open\n" + Dump(server));

        await SubmitManyAsync(server, "carol@healthy.test", 100);
        var queued = Stopwatch.StartNew();
        bool all = await PollAsync(() => healthy.Transactions.Count(t => t.Data is not null) >= 100, TimeSpan.FromSeconds(5));

        Assert.True(all, $"{healthy.Transactions.Count} of 100 delivered to the healthy peer within 5 s ({queued.Elapsed})\n" + Dump(server));
        Assert.True(blackHole.OpenConnections >= 5 && tarpit.OpenConnections >= 5, "the stuck peers were let go: the test proved nothing");
    }

    [Fact]
    public async Task RemoteDelivery_DeadDestination_OpensNoNewConnectionUntilItsRetryTime()
    {
        var (healthy, port) = StartHealthy();
        await using var _h = healthy;
        await using var refuse = Hostile(HostileBehaviour.Refuse421, "127.0.0.5", port);
        await using var dropper = Hostile(HostileBehaviour.DropAfterRcpt, "127.0.0.6", port);
        using var dns = Dns();
        var retry = TimeSpan.FromSeconds(3);
        await using var server = await StartServerAsync(dns, port, o => o.Queue.MinimalBackoff = retry);

        await SubmitManyAsync(server, "bob@refuse.test", 20);
        await SubmitManyAsync(server, "bob@dropper.test", 20);
        Assert.True(await PollAsync(() => MailLog(server).Count(l => l.Contains("status=deferred")) >= 40), Dump(server));

        // Five failed sessions each (Queue:DestinationFailureLimit), then the rest deferred without a connection.
        Assert.Equal(5, refuse.ConnectionCount);
        Assert.Equal(5, dropper.ConnectionCount);
        Assert.Equal(30, MailLog(server).Count(l => l.Contains("relay=none") && l.Contains("status=deferred (delivery temporarily suspended: ")));
        Assert.Contains(server.Log.Lines, l => l.Contains("destination mx:refuse.test is dead after 5 failed sessions"));
        using (var admin = await Postbote.Admin.AdminClient.TryConnectAsync(Path.Combine(server.DataDirectory, Postbote.Admin.AdminSockets.AdminFileName), CancellationToken.None))
        {
            Assert.NotNull(admin);
            var dead = (await admin.DestinationsAsync(CancellationToken.None)).Where(d => d.Dead).Select(d => d.NextHop).Order().ToList();
            Assert.Equal(["mx:dropper.test", "mx:refuse.test"], dead);
            var entry = (await admin.ListAsync(CancellationToken.None)).First(e => e.Recipients[0].Address == "bob@refuse.test" && e.LastReply!.StartsWith("delivery temporarily suspended", StringComparison.Ordinal));
            Assert.Equal("deferred", entry.State);
        }

        // The next connection is the probe at the retry time, not before.
        Assert.True(await PollAsync(() => refuse.ConnectionCount >= 6, TimeSpan.FromSeconds(15)), Dump(server));
        var accepted = refuse.AcceptedAt;
        Assert.True(accepted[5] - accepted[4] >= retry - TimeSpan.FromMilliseconds(50), $"probe {accepted[5] - accepted[4]} after the last failed session");
        Assert.Empty(healthy.Transactions);
    }

    /// <summary>Submits <paramref name="count"/> messages to one recipient, one transaction after another on one connection.</summary>
    private static async Task SubmitManyAsync(PostboteTestServer server, string to, int count)
    {
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort, ServerAddress);
        Assert.StartsWith("220 ", await c.ReadAsync());
        await c.SendLineAsync("EHLO client.test");
        await c.ReadReplyAsync();
        for (int i = 0; i < count; i++)
        {
            Assert.StartsWith("250", await c.CommandAsync("MAIL FROM:<alice@client.test>"));
            Assert.StartsWith("250", await c.CommandAsync($"RCPT TO:<{to}>"));
            Assert.StartsWith("354", await c.CommandAsync("DATA"));
            await c.SendAsync($"From: <alice@client.test>\r\nTo: <{to}>\r\nSubject: {i}\r\n\r\nmessage {i}\r\n.\r\n");
            Assert.StartsWith("250 2.0.0 Ok: queued as", await c.ReadAsync());
        }
        await c.CommandAsync("QUIT");
    }
}
