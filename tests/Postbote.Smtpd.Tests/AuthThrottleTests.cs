using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Postbote.Smtpd.Tests;

/// <summary>
/// AUTH brute-force brake: failures counted per (client network, identity) and per network (IPv4 /32, IPv6 /64);
/// a success clears only its own identity; the tables expire and stay bounded.
/// </summary>
public sealed class AuthThrottleTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));

    private AuthThrottle Throttle(SmtpdLimits? limits = null) => new(limits ?? new SmtpdLimits(), _time);

    [Fact]
    public void Another_identitys_success_does_not_reset_the_guessing_on_bob()
    {
        var throttle = Throttle();
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 9; i++) throttle.RecordFailure(Client, "bob@example.org");
            throttle.RecordSuccess(Client, "alice@example.org");
        }
        Assert.True(throttle.IsBlocked(Client, "bob@example.org"));
        Assert.True(throttle.IsBlocked(Client, "BOB@example.org"));
        Assert.False(throttle.IsBlocked(Client, "alice@example.org"));
        Assert.False(throttle.IsBlocked(Client));
    }

    [Fact]
    public void Own_success_clears_only_that_identitys_count()
    {
        var throttle = Throttle();
        for (int i = 0; i < 9; i++) throttle.RecordFailure(Client, "bob@example.org");
        throttle.RecordSuccess(Client, "bob@example.org");
        throttle.RecordFailure(Client, "bob@example.org");
        Assert.False(throttle.IsBlocked(Client, "bob@example.org"));
    }

    [Fact]
    public void Ipv6_addresses_in_one_slash_64_share_the_count()
    {
        var throttle = Throttle();
        for (int i = 1; i <= 10; i++) throttle.RecordFailure(IPAddress.Parse($"2001:db8:1:2::{i:x}"), "bob@example.org");
        Assert.True(throttle.IsBlocked(IPAddress.Parse("2001:db8:1:2:ffff::99"), "bob@example.org"));
        Assert.False(throttle.IsBlocked(IPAddress.Parse("2001:db8:1:3::1"), "bob@example.org"));
    }

    [Fact]
    public void Ipv4_addresses_are_counted_each_on_their_own()
    {
        var throttle = Throttle();
        for (int i = 1; i <= 10; i++) throttle.RecordFailure(IPAddress.Parse($"192.0.2.{i}"), "bob@example.org");
        Assert.False(throttle.IsBlocked(IPAddress.Parse("192.0.2.11"), "bob@example.org"));
        for (int i = 0; i < 9; i++) throttle.RecordFailure(IPAddress.Parse("::ffff:192.0.2.10"), "bob@example.org");
        Assert.True(throttle.IsBlocked(Client, "bob@example.org")); // an IPv4-mapped address is the IPv4 address
    }

    [Fact]
    public void One_guess_at_each_of_many_identities_blocks_the_network()
    {
        var throttle = Throttle();
        for (int i = 0; i < new SmtpdLimits().AuthFailuresPerNetworkBeforeBlock; i++) throttle.RecordFailure(Client, $"user{i}@example.org");
        Assert.True(throttle.IsBlocked(Client));
        Assert.True(throttle.IsBlocked(Client, "someone-else@example.org"));
    }

    [Fact]
    public void Block_ends_after_the_block_duration()
    {
        var throttle = Throttle();
        for (int i = 0; i < 10; i++) throttle.RecordFailure(Client, "bob@example.org");
        Assert.True(throttle.IsBlocked(Client, "bob@example.org"));
        _time.Advance(new SmtpdLimits().AuthBlockDuration + TimeSpan.FromSeconds(1));
        Assert.False(throttle.IsBlocked(Client, "bob@example.org"));
    }

    [Fact]
    public void Table_stays_bounded_under_failures_from_many_networks()
    {
        var throttle = Throttle(new SmtpdLimits { AuthThrottleMaxEntries = 100 });
        for (int i = 0; i < 5000; i++)
            throttle.RecordFailure(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)), "u" + i);
        Assert.InRange(throttle.Count, 1, 200);
    }

    [Fact]
    public void Expired_counts_are_pruned()
    {
        var throttle = Throttle();
        for (int i = 0; i < 500; i++) throttle.RecordFailure(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)), "u");
        Assert.Equal(1000, throttle.Count);
        _time.Advance(new SmtpdLimits().AuthBlockDuration + TimeSpan.FromMinutes(1));
        throttle.RecordFailure(Client, "bob@example.org");
        Assert.Equal(2, throttle.Count);
    }

    [Theory]
    [InlineData("PLAIN", "\0bob@example.org\0guess", "bob@example.org")]
    [InlineData("PLAIN", "admin\0bob@example.org\0guess", "bob@example.org")]
    [InlineData("LOGIN", "bob@example.org", "bob@example.org")]
    [InlineData("CRAM-MD5", "bob@example.org 0123456789abcdef0123456789abcdef", "bob@example.org")]
    [InlineData("SCRAM-SHA-256", "n,,n=bob@example.org,r=abc", "bob@example.org")]
    [InlineData("SCRAM-SHA-1", "n,,n=a=2Cb,r=abc", "a,b")]
    [InlineData("PLAIN", "no separators", null)]
    public void Attempted_identity_is_read_from_the_first_response(string mechanism, string response, string? identity) =>
        Assert.Equal(identity, AuthThrottle.AttemptedIdentity(mechanism, Encoding.UTF8.GetBytes(response)));
}
