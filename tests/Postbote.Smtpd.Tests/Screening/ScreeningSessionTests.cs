using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Smtpd.Screening;
using Postbote.TestSupport;

namespace Postbote.Smtpd.Tests.Screening;

/// <summary>Issue 13: postscreen's greet delay, pregreet test, DNSBL/DNSWL scores and pass cache in one session, on a fake clock.</summary>
public sealed class ScreeningSessionTests : IDisposable
{
    private const string Greeting = "220 mx.example.org ESMTP Postbote";
    private const string FirstLine = "220-mx.example.org ESMTP Postbote";
    private readonly TestDnsServer _dns = new();
    private readonly List<SessionHost> _hosts = new();

    public void Dispose()
    {
        _dns.Dispose();
        foreach (var h in _hosts) h.Dispose();
    }

    private (SessionHost Host, SmtpServices Services, ScreeningCache Cache) Create(string[]? sites = null, string? trusted = null)
    {
        var host = SessionHost.Create(trusted is null ? null : new Dictionary<string, string> { ["trusted"] = trusted });
        _hosts.Add(host);
        var options = new ScreeningOptions { Enabled = true, DnsblSites = sites };
        var parsed = (sites ?? Array.Empty<string>()).Select(s => { DnsblSiteParser.TryParse(s, out var site, out _); return site!; }).ToList();
        var resolver = new Postbote.Dns.DnsResolver(new Postbote.Dns.DnsOptions { Servers = new[] { _dns.Endpoint }, QueryTimeout = TimeSpan.FromMilliseconds(500) });
        var cache = ScreeningCache.Open(Path.Combine(host.Directory, "screening.db"), 1000, host.Services.Time);
        var services = new SmtpServices
        {
            Options = host.Services.Options,
            Spool = host.Spool,
            LoggerFactory = host.Services.LoggerFactory,
            Time = host.Services.Time,
            Screen = new Screen(options, parsed, resolver, cache, host.Services.Options.TrustedNetworks, host.Services.Time, NullLogger.Instance),
        };
        return (host, services, cache);
    }

    /// <summary>Moves the fake clock a second at a time (at most 20) until the next server line arrives.</summary>
    private static async Task<string?> AdvanceUntilLineAsync(SessionUnderTest s)
    {
        var next = s.Client.ReadLineAsync();
        for (int i = 0; i < 20 && !next.IsCompleted; i++)
        {
            s.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(next, Task.Delay(100));
        }
        return await next;
    }

    [Fact]
    public async Task PregreetClient_ThatSpeaksDuringTheGreetDelay_IsRefused554_551()
    {
        var (host, services, cache) = Create();
        var s = SessionUnderTest.Start(host, services);
        Assert.Equal(FirstLine, await s.Client.ReadLineAsync());
        await s.Client.SendLineAsync("EHLO bot.example");
        Assert.Equal("554 5.5.1 Protocol error", await s.Client.ReadLineAsync());
        Assert.True(await s.WaitEndedAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, cache.Count());
    }

    [Fact]
    public async Task PatientClient_GetsTheRestOfTheGreetingAfterTheDelay_AndIsServed_ThenCachedWithoutDelay()
    {
        var (host, services, cache) = Create();
        var s = SessionUnderTest.Start(host, services);
        Assert.Equal(FirstLine, await s.Client.ReadLineAsync());
        Assert.Equal(Greeting, await AdvanceUntilLineAsync(s));
        Assert.StartsWith("250 ", await s.CommandAsync("EHLO client.example"));
        Assert.Equal(1, cache.Count());

        var again = SessionUnderTest.Start(host, services);
        Assert.Equal(Greeting, await again.Client.ReadLineAsync()); // no delay, single line: no clock advanced
    }

    [Fact]
    public async Task CachedPassExpires_AfterTheTtl()
    {
        var (host, services, _) = Create();
        var s = SessionUnderTest.Start(host, services);
        await s.Client.ReadLineAsync();
        await AdvanceUntilLineAsync(s);
        s.Time.Advance(TimeSpan.FromDays(1));
        var later = SessionUnderTest.Start(host, services);
        Assert.Equal(FirstLine, await later.Client.ReadLineAsync());
    }

    [Fact]
    public async Task TrustedClient_GetsTheSingleLineGreetingAtOnce()
    {
        var (host, services, _) = Create(trusted: "198.51.100.0/24");
        var s = SessionUnderTest.Start(host, services);
        Assert.Equal(Greeting, await s.Client.ReadLineAsync());
    }

    [Fact]
    public async Task DnsblListedClient_IsRefused554_571_NamingTheList()
    {
        _dns.AddA("7.100.51.198.zen.test", "127.0.0.2");
        var (host, services, cache) = Create(new[] { "zen.test=127.0.0.[2..11]*3", "other.test" });
        var s = SessionUnderTest.Start(host, services);
        Assert.Equal(FirstLine, await s.Client.ReadLineAsync());
        Assert.Equal("554 5.7.1 Service unavailable; client [198.51.100.7] blocked using zen.test", await AdvanceUntilLineAsync(s));
        Assert.True(await s.WaitEndedAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, cache.Count());
        Assert.Contains(_dns.Queries, q => q.Contains("7.100.51.198.other.test", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AnswerOutsideTheFilter_DoesNotList()
    {
        _dns.AddA("7.100.51.198.zen.test", "127.255.255.254"); // Spamhaus' "query refused" code is not a listing
        var (host, services, _) = Create(new[] { "zen.test=127.0.0.[2..11]*3" });
        var s = SessionUnderTest.Start(host, services);
        await s.Client.ReadLineAsync();
        Assert.Equal(Greeting, await AdvanceUntilLineAsync(s));
    }

    [Fact]
    public async Task DnswlWeight_CancelsABlockListing()
    {
        _dns.AddA("7.100.51.198.zen.test", "127.0.0.2");
        _dns.AddA("7.100.51.198.wl.test", "127.0.10.2");
        var (host, services, _) = Create(new[] { "zen.test=127.0.0.[2..11]*3", "wl.test=127.0.[0..255].[1..3]*-5" });
        var s = SessionUnderTest.Start(host, services);
        await s.Client.ReadLineAsync();
        Assert.Equal(Greeting, await AdvanceUntilLineAsync(s));
        Assert.StartsWith("250 ", await s.CommandAsync("EHLO client.example"));
    }

    [Fact]
    public async Task DnsblTimeout_NeverBlocksMail_AndThePassIsNotCached()
    {
        _dns.SetSilent("7.100.51.198.zen.test");
        var (host, services, cache) = Create(new[] { "zen.test=127.0.0.[2..11]*3" });
        var s = SessionUnderTest.Start(host, services);
        await s.Client.ReadLineAsync();
        Assert.Equal(Greeting, await AdvanceUntilLineAsync(s));
        Assert.Equal(0, cache.Count());
    }
}
