using System.Net;
using Microsoft.Extensions.Time.Testing;
using Postbote.Smtpd.RateLimiting;

namespace Postbote.Smtpd.Tests.RateLimiting;

/// <summary>Issue 13: anvil-style per-client rates in fixed windows on a fake clock.</summary>
public sealed class ClientRateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 3, 0, 0, TimeSpan.Zero));
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");

    private ClientRateLimiter Limiter(RateLimitOptions options, params string[] exempt) =>
        new(options, exempt.Select(IPNetwork.Parse).ToArray(), _time);

    [Fact]
    public void OverTheConnectionRate_IsRefused_LoggedOnce_AndAllowedAgainInTheNextWindow()
    {
        var limiter = Limiter(new RateLimitOptions { ConnectionRate = 3 });
        for (int i = 0; i < 3; i++) Assert.Equal(RateLimitVerdict.Allow, limiter.Record(Client, RateLimitedEvent.Connection));
        Assert.Equal(RateLimitVerdict.RefuseAndLog, limiter.Record(Client, RateLimitedEvent.Connection));
        Assert.Equal(RateLimitVerdict.Refuse, limiter.Record(Client, RateLimitedEvent.Connection));
        Assert.Equal(RateLimitVerdict.Allow, limiter.Record(IPAddress.Parse("192.0.2.11"), RateLimitedEvent.Connection));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(RateLimitVerdict.Allow, limiter.Record(Client, RateLimitedEvent.Connection));
    }

    [Fact]
    public void RefusalsAreLoggedAtMostOncePerMinutePerClient()
    {
        var limiter = Limiter(new RateLimitOptions { MessageRate = 1, TimeUnit = TimeSpan.FromSeconds(10) });
        limiter.Record(Client, RateLimitedEvent.Message);
        Assert.Equal(RateLimitVerdict.RefuseAndLog, limiter.Record(Client, RateLimitedEvent.Message));
        _time.Advance(TimeSpan.FromSeconds(30)); // a new window, but within the minute of the last log line
        limiter.Record(Client, RateLimitedEvent.Message);
        Assert.Equal(RateLimitVerdict.Refuse, limiter.Record(Client, RateLimitedEvent.Message));
        _time.Advance(TimeSpan.FromSeconds(31));
        limiter.Record(Client, RateLimitedEvent.Message);
        Assert.Equal(RateLimitVerdict.RefuseAndLog, limiter.Record(Client, RateLimitedEvent.Message));
    }

    [Fact]
    public void EventsAreCountedSeparately()
    {
        var limiter = Limiter(new RateLimitOptions { MessageRate = 1, RecipientRate = 2 });
        Assert.Equal(RateLimitVerdict.Allow, limiter.Record(Client, RateLimitedEvent.Message));
        Assert.Equal(RateLimitVerdict.Allow, limiter.Record(Client, RateLimitedEvent.Recipient));
        Assert.Equal(RateLimitVerdict.Allow, limiter.Record(Client, RateLimitedEvent.Recipient));
        Assert.NotEqual(RateLimitVerdict.Allow, limiter.Record(Client, RateLimitedEvent.Recipient));
        Assert.Equal(RateLimitVerdict.Allow, limiter.Record(Client, RateLimitedEvent.Connection)); // 0: off
    }

    [Fact]
    public void Ipv6ClientsAreCountedPerSlash64()
    {
        var limiter = Limiter(new RateLimitOptions { ConnectionRate = 1 });
        Assert.Equal(RateLimitVerdict.Allow, limiter.Record(IPAddress.Parse("2001:db8:1:2::1"), RateLimitedEvent.Connection));
        Assert.NotEqual(RateLimitVerdict.Allow, limiter.Record(IPAddress.Parse("2001:db8:1:2:ffff::9"), RateLimitedEvent.Connection));
        Assert.Equal(RateLimitVerdict.Allow, limiter.Record(IPAddress.Parse("2001:db8:1:3::1"), RateLimitedEvent.Connection));
        Assert.Equal(ClientRateLimiter.Key(IPAddress.Parse("192.0.2.1")), ClientRateLimiter.Key(IPAddress.Parse("::ffff:192.0.2.1")));
    }

    [Fact]
    public void TrustedNetworksAreExempt()
    {
        var limiter = Limiter(new RateLimitOptions { ConnectionRate = 1 }, "192.0.2.0/24");
        for (int i = 0; i < 5; i++) Assert.Equal(RateLimitVerdict.Allow, limiter.Record(Client, RateLimitedEvent.Connection));
        Assert.Equal(0, limiter.TrackedClients);
    }

    [Fact]
    public void OffByDefault_AsInPostfix()
    {
        var options = new RateLimitOptions();
        Assert.False(options.AnyEnabled);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void TheTableIsBounded_AndPrunedWhenWindowsEnd()
    {
        var limiter = Limiter(new RateLimitOptions { ConnectionRate = 1, MaxClients = 10 });
        for (int i = 1; i <= 50; i++) limiter.Record(IPAddress.Parse($"198.51.100.{i}"), RateLimitedEvent.Connection);
        Assert.Equal(10, limiter.TrackedClients);
        _time.Advance(TimeSpan.FromSeconds(61));
        limiter.Record(IPAddress.Parse("203.0.113.1"), RateLimitedEvent.Connection);
        Assert.Equal(1, limiter.TrackedClients);
    }
}
