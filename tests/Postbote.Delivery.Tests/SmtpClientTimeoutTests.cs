using System.Net;
using Microsoft.Extensions.Time.Testing;
using Postbote.Delivery.Smtp;
using Postbote.TestSupport;

namespace Postbote.Delivery.Tests;

public class SmtpClientTimeoutTests
{
    [Fact]
    public async Task Greeting_timeout_reads_the_injected_clock_RFC5321_4_5_3_2_1()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { StallOn = "GREETING" });
        var time = new FakeTimeProvider();
        var options = new SmtpClientOptions { HeloName = "client.test", ConnectTimeout = TimeSpan.FromDays(1) };
        var open = SmtpClientConnection.OpenAsync(new SmtpEndpoint("peer.test", IPAddress.Loopback, peer.Port), options, timeProvider: time);

        // Advance the fake clock past the 5-minute greeting timeout; bounded, no real waiting on a schedule.
        for (var step = 0; step < 100_000 && !open.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Yield();
        }
        var ex = await Assert.ThrowsAsync<SmtpSessionException>(() => open);
        Assert.Equal("4.4.2", ex.Status);
        Assert.Contains("greeting", ex.Message);
        Assert.True(time.GetUtcNow() - time.Start >= options.GreetingTimeout);
    }
}
