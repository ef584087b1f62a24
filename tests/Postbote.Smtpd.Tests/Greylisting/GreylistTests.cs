using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Postbote.Smtpd.Greylisting;

namespace Postbote.Smtpd.Tests.Greylisting;

/// <summary>Issue 13: postgrey's rules on a fake clock: delay, retry window, auto-whitelisting, known SPF domains, pruning and the bound.</summary>
public sealed class GreylistTests : IDisposable
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "postbote-greylist-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));

    public GreylistTests() => System.IO.Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private Greylist Create(GreylistOptions? options = null)
    {
        options ??= new GreylistOptions { Enabled = true };
        return new Greylist(options, GreylistStore.Open(Path.Combine(_dir, "greylist.db"), options, _time), _time, NullLogger.Instance);
    }

    [Fact]
    public void FirstAttempt_IsDeferredForTheDelay_AnEarlyRetryForWhatIsLeft_AndARetryAfterTheDelayPasses()
    {
        var g = Create();
        Assert.Equal(new GreylistVerdict(GreylistDecision.Defer, 300), g.Check(Client, "a@remote.example", "bob@example.org", null));
        _time.Advance(TimeSpan.FromSeconds(120));
        Assert.Equal(new GreylistVerdict(GreylistDecision.Defer, 180), g.Check(Client, "a@remote.example", "bob@example.org", null));
        _time.Advance(TimeSpan.FromSeconds(180));
        Assert.Equal(GreylistDecision.Pass, g.Check(Client, "a@remote.example", "bob@example.org", null).Decision);
        _time.Advance(TimeSpan.FromDays(10)); // a passed triplet is kept for MaxAge, not for the retry window
        Assert.Equal(GreylistDecision.Pass, g.Check(Client, "a@remote.example", "bob@example.org", null).Decision);
        Assert.Equal(GreylistDecision.Defer, g.Check(Client, "a@remote.example", "carol@example.org", null).Decision);
    }

    [Fact]
    public void RetryAfterTheRetryWindow_StartsOver()
    {
        var g = Create();
        Assert.True(g.Check(Client, "a@remote.example", "bob@example.org", null).Deferred);
        _time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));
        Assert.Equal(new GreylistVerdict(GreylistDecision.Defer, 300), g.Check(Client, "a@remote.example", "bob@example.org", null));
    }

    [Fact]
    public void Network_IsWhitelistedAfterFiveSuccesses_CountedOnceAnHour()
    {
        var g = Create();
        string network = GreylistTriplet.NetworkOf(Client);
        for (int i = 0; i < 5; i++)
        {
            Assert.False(g.IsWhitelisted(network));
            Assert.True(g.Check(Client, "a@remote.example", $"user{i}@example.org", null).Deferred);
            _time.Advance(TimeSpan.FromMinutes(6));
            Assert.Equal(GreylistDecision.Pass, g.Check(Client, "a@remote.example", $"user{i}@example.org", null).Decision);
            // More passes within the hour are one sender coming back, not more successes (the fifth whitelists at once).
            Assert.Equal(i == 4 ? GreylistDecision.Whitelisted : GreylistDecision.Pass, g.Check(Client, "a@remote.example", $"user{i}@example.org", null).Decision);
            _time.Advance(TimeSpan.FromMinutes(55));
        }
        Assert.Equal(5, g.Store.Successes(network));
        Assert.True(g.IsWhitelisted(network));
        Assert.Equal(GreylistDecision.Whitelisted, g.Check(IPAddress.Parse("192.0.2.99"), "new@other.example", "dave@example.org", null).Decision);
        Assert.True(g.Check(IPAddress.Parse("192.0.3.10"), "new@other.example", "dave@example.org", null).Deferred);
    }

    [Fact]
    public void AutoWhitelistZero_NeverWhitelists()
    {
        var g = Create(new GreylistOptions { Enabled = true, AutoWhitelistAfter = 0 });
        for (int i = 0; i < 6; i++)
        {
            g.Check(Client, "a@remote.example", $"user{i}@example.org", null);
            _time.Advance(TimeSpan.FromHours(1));
            g.Check(Client, "a@remote.example", $"user{i}@example.org", null);
        }
        Assert.True(g.Check(Client, "a@remote.example", "new@example.org", null).Deferred);
    }

    [Fact]
    public void SpfPassDomain_ThatPassedBefore_SkipsGreylisting_FromAnyNetwork_ButNotWithoutSpfPass()
    {
        var g = Create();
        Assert.True(g.Check(Client, "a@big.example", "bob@example.org", "big.example").Deferred);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(GreylistDecision.Pass, g.Check(Client, "a@big.example", "bob@example.org", "big.example").Decision);
        var elsewhere = IPAddress.Parse("203.0.113.5");
        Assert.Equal(GreylistDecision.KnownDomain, g.Check(elsewhere, "b@big.example", "carol@example.org", "big.example").Decision);
        Assert.True(g.Check(elsewhere, "b@big.example", "carol@example.org", null).Deferred);
        Assert.True(g.Check(elsewhere, "b@forged.example", "carol@example.org", "forged.example").Deferred);
    }

    [Fact]
    public void Prune_DropsUnretriedTripletsAfterTheWindow_AndEverythingAfterMaxAge()
    {
        var g = Create();
        g.Check(Client, "a@remote.example", "bob@example.org", null);        // never retried
        g.Check(Client, "a@remote.example", "carol@example.org", null);
        _time.Advance(TimeSpan.FromMinutes(10));
        g.Check(Client, "a@remote.example", "carol@example.org", "remote.example"); // passed: network and domain recorded
        Assert.Equal((2, 1, 1), g.Store.Count());
        _time.Advance(TimeSpan.FromDays(3));
        g.Store.Prune();
        Assert.Equal((1, 1, 1), g.Store.Count());
        _time.Advance(TimeSpan.FromDays(35));
        g.Store.Prune();
        Assert.Equal((0, 0, 0), g.Store.Count());
    }

    [Fact]
    public void Store_IsBoundedByMaxEntries_TheLeastRecentlySeenGoFirst()
    {
        var options = new GreylistOptions { Enabled = true, MaxEntries = 100 };
        var g = Create(options);
        for (int i = 0; i < 250; i++)
        {
            g.Check(Client, "a@remote.example", $"user{i}@example.org", null);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        g.Store.Prune();
        Assert.Equal(100, g.Store.Count().Triplets);
        // The newest are kept: user249 was first seen 1 s ago and is early; user0 is gone and starts over.
        Assert.Equal(new GreylistVerdict(GreylistDecision.Defer, 299), g.Check(Client, "a@remote.example", "user249@example.org", null));
        Assert.Equal(300, g.Check(Client, "a@remote.example", "user0@example.org", null).RetryAfterSeconds);
    }

    [Fact]
    public void DeferReply_Is450_471_AndSaysHowLongToWait()
        => Assert.Equal("450 4.7.1 <bob@example.org>: Recipient address rejected: Greylisted, try again in 300 seconds",
            Greylist.DeferReply("bob@example.org", 300).ToString());

    [Fact]
    public void Options_AreValidated_NamingTheKey()
    {
        var problems = new GreylistOptions { Delay = TimeSpan.FromDays(3), AutoWhitelistAfter = -1, MaxEntries = 1 }.Validate().ToList();
        Assert.Contains(problems, p => p.StartsWith("Greylisting:Delay"));
        Assert.Contains(problems, p => p.StartsWith("Greylisting:RetryWindow"));
        Assert.Contains(problems, p => p.StartsWith("Greylisting:AutoWhitelistAfter"));
        Assert.Contains(problems, p => p.StartsWith("Greylisting:MaxEntries"));
        Assert.Empty(new GreylistOptions().Validate());
    }
}
