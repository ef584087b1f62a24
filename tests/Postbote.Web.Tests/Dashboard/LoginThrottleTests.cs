using Microsoft.Extensions.Time.Testing;
using Postbote.Web.Dashboard;

namespace Postbote.Web.Tests.Dashboard;

/// <summary>Failed dashboard logins are counted per name and per address over Http:Dashboard:LoginLockout.</summary>
public sealed class LoginThrottleTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-04T10:00:00Z"));
    private readonly DashboardOptions _options = new() { LoginFailuresPerName = 3, LoginFailuresPerAddress = 5, LoginLockout = TimeSpan.FromMinutes(15) };

    [Fact]
    public void Name_IsLockedAfterTheLimit_UntilTheWindowOfTheFirstFailureEnds()
    {
        var t = new LoginThrottle(_options, _time);
        for (int i = 0; i < 3; i++) { Assert.Null(t.BlockedUntil("alice", "192.0.2.1")); t.Failed("alice", "192.0.2.1"); _time.Advance(TimeSpan.FromMinutes(1)); }
        Assert.Equal(DateTimeOffset.Parse("2026-12-04T10:15:00Z"), t.BlockedUntil("alice", "198.51.100.9")); // from any address
        Assert.Null(t.BlockedUntil("bob", "198.51.100.9"));
        _time.Advance(TimeSpan.FromMinutes(12));
        Assert.Null(t.BlockedUntil("alice", "192.0.2.1"));
    }

    [Fact]
    public void Address_IsLockedAfterItsLimit_WhateverTheName()
    {
        var t = new LoginThrottle(_options, _time);
        for (int i = 0; i < 5; i++) t.Failed("guess" + i, "203.0.113.7");
        Assert.NotNull(t.BlockedUntil("alice", "203.0.113.7"));
        Assert.Null(t.BlockedUntil("alice", "203.0.113.8"));
    }

    [Fact]
    public void Success_ClearsTheNamesCount()
    {
        var t = new LoginThrottle(_options, _time);
        t.Failed("alice", "192.0.2.1");
        t.Failed("alice", "192.0.2.1");
        t.Succeeded("alice");
        t.Failed("alice", "192.0.2.1");
        t.Failed("alice", "192.0.2.1");
        Assert.Null(t.BlockedUntil("alice", "192.0.2.1"));
    }

    [Fact]
    public void Memory_IsBounded()
    {
        var t = new LoginThrottle(_options, _time);
        for (int i = 0; i < LoginThrottle.MaxKeys + 500; i++) t.Failed("n" + i, "a" + i);
        t.Failed("last", "last");
        Assert.Null(t.BlockedUntil("last", "last")); // counted once: not blocked, and the table did not grow without bound
    }
}
