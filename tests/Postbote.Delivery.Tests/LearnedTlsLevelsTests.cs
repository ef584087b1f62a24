using Microsoft.Extensions.Time.Testing;
using Postbote.Core.Delivery;
using Postbote.Delivery.Tls;

namespace Postbote.Delivery.Tests;

/// <summary>The learned TLS levels store (DataDirectory/tls-levels.db): learn, improve, never lower, forget, bound, another process's change.</summary>
public sealed class LearnedTlsLevelsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "postbote-tlslevels-" + Guid.NewGuid().ToString("N")[..10] + ".db");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private static readonly TransportSecurity Verified = new("verified", "TLSv1.3", "TLS_AES_256_GCM_SHA384");
    private static readonly TransportSecurity Unverified = new("opportunistic", "TLSv1.3", "TLS_AES_256_GCM_SHA384");

    [Fact]
    public void Learns_TLS_then_verified_never_lower_and_survives_reopening()
    {
        using (var store = LearnedTlsLevels.Open(_path, time: _time))
        {
            Assert.Null(store.Learn("example.net", TransportSecurity.Plaintext));
            Assert.Null(store.Find("example.net"));
            Assert.Equal(LearnedTlsLevel.Encrypted, store.Learn("Example.NET.", Unverified));
            Assert.Equal(LearnedTlsLevel.Verified, store.Learn("example.net", Verified));
            Assert.Null(store.Learn("example.net", Unverified)); // a worse session teaches nothing
            Assert.Equal(LearnedTlsLevel.Verified, store.Find("EXAMPLE.net")!.Level);
        }
        using var reopened = LearnedTlsLevels.Open(_path, time: _time);
        var entry = Assert.Single(reopened.List());
        Assert.Equal(("example.net", LearnedTlsLevel.Verified, _time.GetUtcNow()), (entry.Domain, entry.Level, entry.Since));
    }

    [Fact]
    public void Forget_in_another_process_is_seen_within_a_second()
    {
        using var server = LearnedTlsLevels.Open(_path, time: _time);
        server.Learn("example.net", Verified);
        using (var cli = LearnedTlsLevels.Open(_path))
        {
            Assert.True(cli.Forget("example.net"));
            Assert.False(cli.Forget("example.net"));
        }
        Assert.NotNull(server.Find("example.net")); // checked at most once a second
        _time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.Null(server.Find("example.net"));
    }

    [Fact]
    public void At_most_max_entries_least_recently_seen_dropped_first()
    {
        using (var store = LearnedTlsLevels.Open(_path, maxEntries: 3, time: _time))
        {
            foreach (var d in new[] { "a.example", "b.example", "c.example", "d.example" })
            {
                store.Learn(d, Unverified);
                _time.Advance(TimeSpan.FromMinutes(1));
            }
            Assert.Equal(["b.example", "c.example", "d.example"], store.List().Select(e => e.Domain));
        }
        using var reopened = LearnedTlsLevels.Open(_path, maxEntries: 3, time: _time);
        Assert.Equal(3, reopened.List().Count);
    }

    public void Dispose()
    {
        foreach (var f in new[] { _path, _path + "-wal", _path + "-shm" })
            File.Delete(f);
    }
}
