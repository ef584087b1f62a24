using System.Text;
using Microsoft.Extensions.Time.Testing;
using Postbote.Configuration;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;
using Postbote.TestSupport;

namespace Postbote.IntegrationTests.Screening;

/// <summary>Issue 13: greylisting at RCPT on the real MX listener, the whole server on a fake clock.</summary>
public sealed class GreylistingTests
{
    private static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));

    private static Task<PostboteTestServer> StartAsync(FakeTimeProvider time, Action<PostboteOptions>? more = null) =>
        PostboteTestServer.StartAsync(o =>
        {
            o.Greylisting.Enabled = true;
            more?.Invoke(o);
        }, time);

    /// <summary>One attempt from <paramref name="source"/>: the RCPT reply; a 250 is followed by DATA and the message queued.</summary>
    private static async Task<string?> AttemptAsync(PostboteTestServer server, string source, string sender, string recipient, string? auth = null)
    {
        await using var c = await SourceAddressConnection.ConnectAsync(source, server.MxPort);
        Assert.StartsWith("220 ", await c.ReadReplyAsync());
        Assert.StartsWith("250", await c.CommandAsync("EHLO client.example"));
        if (auth is not null) Assert.StartsWith("235", await c.CommandAsync("AUTH PLAIN " + auth));
        Assert.StartsWith("250", await c.CommandAsync($"MAIL FROM:<{sender}>"));
        var rcpt = await c.CommandAsync($"RCPT TO:<{recipient}>");
        if (rcpt!.StartsWith("250"))
        {
            Assert.StartsWith("354", await c.CommandAsync("DATA"));
            Assert.StartsWith("250", await c.CommandAsync("Subject: greylisting\r\n\r\nbody\r\n."));
        }
        Assert.StartsWith("221", await c.CommandAsync("QUIT"));
        return rcpt;
    }

    [Fact]
    public async Task FirstAttempt450_EarlyRetry450_RetryAfterTheDelay250()
    {
        var time = NewClock();
        await using var server = await StartAsync(time);
        Assert.Equal("450 4.7.1 <bob@test.local>: Recipient address rejected: Greylisted, try again in 300 seconds",
            await AttemptAsync(server, "127.0.0.40", "a@remote.example", "bob@test.local"));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("450 4.7.1 <bob@test.local>: Recipient address rejected: Greylisted, try again in 180 seconds",
            await AttemptAsync(server, "127.0.0.41", "a@remote.example", "bob@test.local")); // a neighbour of the same /24
        Assert.Empty(server.Queued());
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.StartsWith("250", await AttemptAsync(server, "127.0.0.40", "a@remote.example", "bob@test.local"));
        Assert.Single(server.Queued());
        Assert.Contains(server.Log.Lines, l => l.Contains("greylist: defer RCPT from [127.0.0.40] (127.0.0.0/24): from=<a@remote.example> to=<bob@test.local>: new, retry in 300 s"));
        Assert.Contains(server.Log.Lines, l => l.Contains("greylist: pass RCPT from [127.0.0.40] (127.0.0.0/24): from=<a@remote.example> to=<bob@test.local>: retried after 300 s"));
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "greylist.db")));
    }

    [Fact]
    public async Task Network_IsAutoWhitelisted_AfterFiveSuccessfulRetries()
    {
        var time = NewClock();
        await using var server = await StartAsync(time);
        for (int i = 0; i < 5; i++)
        {
            Assert.StartsWith("450 4.7.1", await AttemptAsync(server, "127.0.0.42", $"sender{i}@remote.example", "bob@test.local"));
            time.Advance(TimeSpan.FromMinutes(6));
            Assert.StartsWith("250", await AttemptAsync(server, "127.0.0.42", $"sender{i}@remote.example", "bob@test.local"));
            time.Advance(TimeSpan.FromHours(1));
        }
        Assert.StartsWith("250", await AttemptAsync(server, "127.0.0.43", "someone@else.example", "carol@test.local"));
        Assert.Contains(server.Log.Lines, l => l.Contains("greylist: network 127.0.0.0/24 whitelisted after 5 successful retries"));
        Assert.Equal(6, server.Queued().Count);
    }

    [Fact]
    public async Task TrustedAndAuthenticatedClients_AreNotGreylisted()
    {
        var time = NewClock();
        await using var server = await StartAsync(time, o =>
        {
            o.TrustedNetworks = new[] { "127.0.0.50/32" };
            o.Auth.AllowCleartext = true;
            o.Listeners![0].OfferAuth = true;
        });
        await server.AddUserAsync("me@test.local", "secret-password");
        Assert.StartsWith("250", await AttemptAsync(server, "127.0.0.50", "a@remote.example", "me@test.local"));
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0me@test.local\0secret-password"));
        Assert.StartsWith("250", await AttemptAsync(server, "127.0.0.51", "me@test.local", "me@test.local", plain));
        Assert.StartsWith("450 4.7.1", await AttemptAsync(server, "127.0.0.51", "a@remote.example", "me@test.local"));
        // Greylisting comes after the recipient check: an unknown user is refused for good, not deferred.
        Assert.StartsWith("550 5.1.1", await AttemptAsync(server, "127.0.0.51", "a@remote.example", "nobody@test.local"));
    }

    [Fact]
    public async Task ClientOnAnAllowList_IsNotGreylisted_AlsoWhenScreeningRemembersIt()
    {
        using var dns = new TestDnsServer();
        dns.AddA("52.0.0.127.wl.test", "127.0.5.2");
        var time = NewClock();
        await using var server = await StartAsync(time, o =>
        {
            o.Screening.Enabled = true;
            o.Screening.GreetDelay = TimeSpan.Zero;
            o.Screening.DnsblSites = new[] { "wl.test=127.0.[0..255].[1..3]*-5" };
            o.Dns = new Postbote.Configuration.DnsOptions { Servers = new[] { dns.Endpoint }, Timeout = TimeSpan.FromSeconds(5) };
        });
        Assert.StartsWith("250", await AttemptAsync(server, "127.0.0.52", "a@remote.example", "bob@test.local")); // screened now: DNSWL result
        Assert.StartsWith("250", await AttemptAsync(server, "127.0.0.52", "b@remote.example", "carol@test.local")); // cached pass: asked again
        Assert.StartsWith("450 4.7.1", await AttemptAsync(server, "127.0.0.53", "a@remote.example", "bob@test.local"));
        Assert.Contains(server.Log.Lines, l => l.Contains("greylist: skip [127.0.0.52]: listed by an allow list"));
    }

    [Fact]
    public async Task GreylistDeferrals_DoNotCountTowardTheErrorLimit()
    {
        var time = NewClock();
        await using var server = await StartAsync(time, o => o.Limits.ErrorsPerSession = 3);
        await using var c = await SourceAddressConnection.ConnectAsync("127.0.0.54", server.MxPort);
        await c.ReadReplyAsync();
        await c.CommandAsync("EHLO client.example");
        Assert.StartsWith("250", await c.CommandAsync("MAIL FROM:<list@remote.example>"));
        for (int i = 0; i < 5; i++)
            Assert.StartsWith("450 4.7.1", await c.CommandAsync($"RCPT TO:<user{i}@test.local>"));
        Assert.StartsWith("221", await c.CommandAsync("QUIT"));
    }

    [Fact]
    public void WrongSetting_StopsTheStart_NamingTheKey()
    {
        var options = PostboteTestServer.DefaultOptions(Path.GetTempPath());
        options.Greylisting.Delay = TimeSpan.Zero;
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Resolve(options));
        Assert.Contains(e.Problems, p => p.StartsWith("Greylisting:Delay"));
    }
}
