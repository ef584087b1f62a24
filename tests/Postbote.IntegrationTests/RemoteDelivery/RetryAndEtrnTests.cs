using Postbote.Core.Envelope;
using Postbote.TestSupport;
using Postbote.IntegrationTests.Infrastructure;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.RemoteDelivery;

/// <summary>
/// The walk-through's "if the receiving server is offline, try again later": a 4xx keeps the message queued with
/// the reply recorded, a later attempt delivers it; ETRN (RFC 1985) makes that attempt happen now.
/// </summary>
public sealed class RetryAndEtrnTests
{
    /// <summary>A peer that answers RCPT with 451 while <see cref="Refusing"/> is set, 250 after.</summary>
    private sealed class FlakyPeer
    {
        private volatile bool _refusing = true;
        public bool Refusing { get => _refusing; set => _refusing = value; }
        public SmtpPeerScript Script => new()
        {
            RcptReply = _ => Refusing ? "451 4.3.0 <bob@peer.test>: Temporary lookup failure, try again" : "250 2.1.5 Ok",
        };
    }

    [Fact]
    public async Task RemoteDelivery_451ThenRetry_StaysQueuedWithTheReply_ThenDeliveredOnRetry()
    {
        var flaky = new FlakyPeer();
        await using var peer = new ScriptedSmtpPeer(flaky.Script);
        using var dns = new TestDnsServer().AddMx("peer.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1");
        await using var server = await StartServerAsync(dns, peer.Port, o =>
        {
            o.Queue.MinimalBackoff = TimeSpan.FromSeconds(1);
            o.Queue.MaximalBackoff = TimeSpan.FromSeconds(1);
        });

        var message = Message("alice@client.test", "bob@peer.test", "retry me");
        var id = await SubmitTrustedAsync(server, "alice@client.test", "bob@peer.test", message);

        Assert.True(await PollAsync(() => Attempts(server, id).Count >= 1), "no attempt:\n" + Dump(server));
        var first = AttemptLine().Match(Attempts(server, id)[0]);
        Assert.True(first.Success, Attempts(server, id)[0]);
        Assert.Equal(("deferred", "4.3.0", $"mx.peer.test[127.0.0.1]:{peer.Port}"),
            (first.Groups["status"].Value, first.Groups["dsn"].Value, first.Groups["relay"].Value));
        Assert.Contains("451 4.3.0", first.Groups["reply"].Value);

        // Still queued (deferred): the recipient pending with the 4xx reply recorded, a retry scheduled.
        var envelope = Assert.Single(server.Queued());
        Assert.Equal(id, envelope.QueueId);
        var r = Assert.Single(envelope.Recipients);
        Assert.Equal(RecipientState.Pending, r.State);
        Assert.Equal("4.3.0", r.Status);
        Assert.Contains("451 4.3.0", r.Diagnostic);
        Assert.StartsWith("mx.peer.test[127.0.0.1]", r.RemoteMta);
        Assert.True(envelope.Attempts >= 1);
        Assert.NotNull(envelope.NextAttempt);
        Assert.Empty(peer.Transactions.Where(t => t.Data is not null));

        flaky.Refusing = false;
        Assert.True(await PollAsync(() => server.Queued().Count == 0, TimeSpan.FromSeconds(15)), "not delivered on retry:\n" + Dump(server));
        var tx = Assert.Single(peer.Transactions, t => t.Data is not null);
        Assert.EndsWith(message, Utf8(tx.Data!));
        var attempts = Attempts(server, id);
        Assert.True(attempts.Count >= 2, string.Join("\n", attempts));
        Assert.All(attempts.Take(attempts.Count - 1), l => Assert.Contains("status=deferred", l));
        Assert.Contains("status=sent (250 ", attempts[^1]);
        Assert.True(peer.ConnectionCount >= 1); // the retry may reuse the cached connection (SmtpConnectionCache)
    }

    [Fact]
    public async Task RemoteDelivery_EtrnFromTrustedClient_For_DomainWithDeferredMail_Answers250_AndDeliversNow()
    {
        var flaky = new FlakyPeer();
        await using var peer = new ScriptedSmtpPeer(flaky.Script);
        using var dns = new TestDnsServer().AddMx("peer.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1");
        // The next scheduled retry is an hour away: only ETRN can make the delivery happen within the test.
        await using var server = await StartServerAsync(dns, peer.Port, o => o.Queue.MinimalBackoff = TimeSpan.FromHours(1));

        var id = await SubmitTrustedAsync(server, "alice@client.test", "bob@peer.test", Message("alice@client.test", "bob@peer.test", "ETRN"));
        Assert.True(await PollAsync(() => Attempts(server, id).Count == 1), "no attempt:\n" + Dump(server));
        Assert.Contains("status=deferred", Attempts(server, id)[0]);
        Assert.True(Assert.Single(server.Queued()).NextAttempt > DateTimeOffset.UtcNow.AddMinutes(30));
        flaky.Refusing = false;

        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort, ServerAddress))
        {
            await c.ReadAsync();
            await c.SendLineAsync("EHLO client.test");
            Assert.Contains(await c.ReadReplyAsync(), l => l[4..] == "ETRN");
            Assert.Equal("251 2.0.0 OK, no messages waiting for node other.test", await c.CommandAsync("ETRN other.test"));
            var reply = await c.CommandAsync("ETRN peer.test");
            Assert.Matches(@"^250 2\.0\.0 Queuing started for peer\.test", reply);
            await c.CommandAsync("QUIT");
        }

        Assert.True(await PollAsync(() => server.Queued().Count == 0, TimeSpan.FromSeconds(15)), "ETRN did not deliver:\n" + Dump(server));
        Assert.Single(peer.Transactions, t => t.Data is not null);
        Assert.Contains("status=sent (250 ", Attempts(server, id)[^1]);
    }

    [Fact]
    public async Task RemoteDelivery_EtrnFromUntrustedClient_Is459()
    {
        using var dns = new TestDnsServer();
        await using var server = await StartServerAsync(dns, 1, o => o.TrustedNetworks = Array.Empty<string>());
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort, ServerAddress);
        await c.ReadAsync();
        await c.CommandAsync("EHLO client.test");
        Assert.StartsWith("459 4.7.1", await c.CommandAsync("ETRN peer.test"));
    }
}
