using Postbote.Dns;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Postbote.Core.Delivery;
using Postbote.Delivery.Dns;
using Postbote.Delivery.Smtp;
using Postbote.TestSupport;

namespace Postbote.Delivery.Tests;

/// <summary>
/// Issue 17: a hung peer that stays within every per-reply timeout must not hold a delivery for longer than
/// <see cref="SmtpClientOptions.SessionTimeLimit"/>; the recipients are deferred for the session (4.4.2).
/// </summary>
public class SessionTimeLimitTests
{
    private static SmtpClientOptions Client() => new()
    {
        HeloName = "client.test", Tls = TlsPolicy.None, ConnectTimeout = TimeSpan.FromDays(1), GreetingTimeout = TimeSpan.FromDays(1),
        HeloTimeout = TimeSpan.FromDays(1), MailTimeout = TimeSpan.FromDays(1), SessionTimeLimit = TimeSpan.FromMinutes(10),
    };

    /// <summary>
    /// Advances the fake clock a minute at a time until the delivery ends: bounded to 100 fake minutes (what the
    /// test asserts) and 100,000 steps (the real socket work between steps is not on the fake clock).
    /// </summary>
    private static async Task<IReadOnlyList<RecipientResult>> RunAsync(FakeTimeProvider time, Task<IReadOnlyList<RecipientResult>> delivery)
    {
        for (var step = 0; step < 100_000 && !delivery.IsCompleted && time.GetUtcNow() - time.Start < TimeSpan.FromMinutes(100); step++)
        {
            await Task.Yield();
            if (step % 1000 == 999) time.Advance(TimeSpan.FromMinutes(1));
        }
        await Task.WhenAny(delivery, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(delivery.IsCompleted, "the delivery outlived 100 minutes with a 10-minute session limit");
        return await delivery;
    }

    [Fact]
    public async Task Smtp_delivery_to_a_peer_that_never_greets_ends_at_the_session_time_limit()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { StallOn = "GREETING" });
        var time = new FakeTimeProvider();
        var agent = new SmtpDeliveryAgent(new SmtpDeliveryOptions { Port = peer.Port, Client = Client() },
            new MxResolver(new DnsResolver(new DnsOptions { Servers = { "127.0.0.1:1" } })), timeProvider: time);
        var route = MxRoute.Single("peer.test", new MxHost("mx.peer.test", 10, [IPAddress.Loopback]));

        var results = await RunAsync(time, agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@peer.test"), route, CancellationToken.None));

        var r = Assert.Single(results);
        Assert.Equal((DeliveryAction.Delayed, "4.4.2"), (r.Action, r.Status));
        Assert.Contains("session time limit", r.Diagnostic);
        Assert.True(time.GetUtcNow() - time.Start >= TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Lmtp_delivery_to_a_server_hung_after_MAIL_ends_at_the_session_time_limit()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { Lmtp = true, StallOn = "MAIL" });
        var time = new FakeTimeProvider();
        var agent = new LmtpDeliveryAgent(new LmtpDeliveryOptions { Endpoint = $"127.0.0.1:{peer.Port}", Client = Client() }, timeProvider: time);

        var results = await RunAsync(time, agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@example.org"), CancellationToken.None));

        var r = Assert.Single(results);
        Assert.Equal((DeliveryAction.Delayed, "4.4.2", FailureScope.Session), (r.Action, r.Status, r.Scope));
        Assert.Contains("session time limit", r.Diagnostic);
    }
}
