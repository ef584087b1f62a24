using Postbote.Configuration;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;
using Postbote.TestSupport;

namespace Postbote.IntegrationTests.Screening;

/// <summary>Issue 13: postscreen-style screening on the real MX listener, DNS lists from the test DNS server.</summary>
public sealed class ScreeningTests
{
    private const string FirstLine = "220-mx.test.local ESMTP Postbote";
    private const string Greeting = "220 mx.test.local ESMTP Postbote";

    private static Task<PostboteTestServer> StartAsync(TestDnsServer? dns = null, params string[] sites) => PostboteTestServer.StartAsync(o =>
    {
        o.Screening.Enabled = true;
        o.Screening.GreetDelay = TimeSpan.FromSeconds(1);
        o.Screening.DnsblSites = sites;
        if (dns is not null) o.Dns = new Postbote.Configuration.DnsOptions { Servers = new[] { dns.Endpoint }, Timeout = TimeSpan.FromMilliseconds(500) };
    });

    [Fact]
    public async Task PregreetClient_SendingEhloBeforeTheGreeting_IsRefused554_AndLoggedWithItsBytes()
    {
        await using var server = await StartAsync();
        await using var c = await SourceAddressConnection.ConnectAsync("127.0.0.20", server.MxPort);
        Assert.Equal(FirstLine, await c.ReadLineAsync());
        await c.SendLineAsync("EHLO bot.example");
        Assert.Equal("554 5.5.1 Protocol error", await c.ReadLineAsync());
        Assert.Null(await c.ReadLineAsync());
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("PREGREET") && l.Contains("[127.0.0.20]") && l.Contains(@"EHLO bot.example\r\n"))));
    }

    [Fact]
    public async Task PatientClient_IsServed_ThenRememberedAndGreetedWithoutDelay()
    {
        await using var server = await StartAsync();
        await using (var c = await SourceAddressConnection.ConnectAsync("127.0.0.21", server.MxPort))
        {
            Assert.Equal(FirstLine, await c.ReadLineAsync());
            Assert.Equal(Greeting, await c.ReadLineAsync());
            await c.CommandAsync("EHLO client.example");
            Assert.StartsWith("250", await c.CommandAsync("MAIL FROM:<a@remote.example>"));
            Assert.StartsWith("250", await c.CommandAsync("RCPT TO:<bob@test.local>"));
            Assert.StartsWith("354", await c.CommandAsync("DATA"));
            Assert.StartsWith("250", await c.CommandAsync("Subject: hi\r\n\r\nbody\r\n."));
        }
        Assert.Single(server.Queued());
        await using var again = await SourceAddressConnection.ConnectAsync("127.0.0.21", server.MxPort);
        Assert.Equal(Greeting, await again.ReadLineAsync()); // the single line at once: no "220-" and no delay
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "screening.db")));
    }

    [Fact]
    public async Task SubmissionListener_IsNotScreened()
    {
        await using var server = await StartAsync();
        await using var c = await RawSmtpClient.ConnectAsync(server.SubmissionPort);
        Assert.Equal(new[] { "220 mx.test.local ESMTP Postbote" }, await c.ReadReplyAsync());
    }

    [Fact]
    public async Task DnsblListedClient_IsRefused554_571_AndLogged_WhileAnotherClientPasses()
    {
        using var dns = new TestDnsServer();
        dns.AddA("22.0.0.127.zen.test", "127.0.0.4");
        dns.AddA("23.0.0.127.zen.test", "127.0.0.4");
        dns.AddA("23.0.0.127.wl.test", "127.0.5.2");
        await using var server = await StartAsync(dns, "zen.test=127.0.0.[2..11]*3", "wl.test=127.0.[0..255].[1..3]*-5");
        await using (var listed = await SourceAddressConnection.ConnectAsync("127.0.0.22", server.MxPort))
        {
            Assert.Equal(FirstLine, await listed.ReadLineAsync());
            Assert.Equal("554 5.7.1 Service unavailable; client [127.0.0.22] blocked using zen.test", await listed.ReadLineAsync());
            Assert.Null(await listed.ReadLineAsync());
        }
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("DNSBL rank 3 for [127.0.0.22]"))));
        await using var allowed = await SourceAddressConnection.ConnectAsync("127.0.0.23", server.MxPort);
        Assert.Equal(FirstLine, await allowed.ReadLineAsync());
        Assert.Equal(Greeting, await allowed.ReadLineAsync());
    }

    [Fact]
    public async Task DnsTimeout_PassesTheClient()
    {
        using var dns = new TestDnsServer();
        dns.SetSilent("24.0.0.127.zen.test");
        await using var server = await StartAsync(dns, "zen.test=127.0.0.[2..11]*3");
        await using var c = await SourceAddressConnection.ConnectAsync("127.0.0.24", server.MxPort);
        Assert.Equal(FirstLine, await c.ReadLineAsync());
        Assert.Equal(Greeting, await c.ReadLineAsync());
        Assert.StartsWith("250", await c.CommandAsync("EHLO client.example"));
    }

    [Fact]
    public async Task UnusableScreeningCache_StopsTheStart_InsteadOfFailingTheFirstSession()
    {
        string? data = null;
        var e = await Assert.ThrowsAnyAsync<Exception>(() => PostboteTestServer.StartAsync(o =>
        {
            data = o.DataDirectory;
            o.Screening.Enabled = true;
            o.Screening.CacheFile = "cache-is-a-directory";
            System.IO.Directory.CreateDirectory(Path.Combine(o.DataDirectory, o.Screening.CacheFile));
        }));
        Assert.IsType<Microsoft.Data.Sqlite.SqliteException>(e.GetBaseException());
        try { System.IO.Directory.Delete(data!, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("Screening:DnsblSites:0", "zen.test=127.0.0")]
    [InlineData("RateLimits:ConnectionRate", null)]
    [InlineData("Listeners:0:ProxyProtocolFrom", "proxy")]
    public void WrongSetting_StopsTheStart_NamingTheKey(string key, string? value)
    {
        var options = PostboteTestServer.DefaultOptions(Path.GetTempPath());
        if (key.StartsWith("Screening")) options.Screening.DnsblSites = new[] { value! };
        else if (key.StartsWith("RateLimits")) options.RateLimits.ConnectionRate = -1;
        else options.Listeners![0].ProxyProtocol = true;
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Resolve(options));
        Assert.Contains(e.Problems, p => p.StartsWith(key));
    }
}
