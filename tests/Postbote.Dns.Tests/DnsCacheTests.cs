using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Time.Testing;
using Postbote.TestSupport;

namespace Postbote.Dns.Tests;

public sealed class DnsCacheTests : IDisposable
{
    private readonly TestDnsServer _server = new();
    private readonly FakeTimeProvider _time = new();

    private DnsResolver Resolver(Action<DnsOptions>? configure = null)
    {
        var options = new DnsOptions { Servers = { _server.Endpoint }, QueryTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        return new DnsResolver(options, time: _time);
    }

    private int QueriesFor(string key) => _server.Queries.Count(q => q == key);

    /// <summary>Asks twice within <paramref name="ttl"/> (one query reaches the server), then once after it (a second one does).</summary>
    private async Task AssertCachedForAsync(DnsResolver dns, string name, RecordType type, TimeSpan ttl, DnsAnswerStatus status)
    {
        var key = $"{name}/{type}";
        Assert.Equal(status, (await dns.QueryAsync(name, type, default)).Status);
        _time.Advance(ttl - TimeSpan.FromSeconds(1));
        Assert.Equal(status, (await dns.QueryAsync(name.ToUpperInvariant() + ".", type, default)).Status);
        Assert.Equal(1, QueriesFor(key));
        _time.Advance(TimeSpan.FromSeconds(2));
        await dns.QueryAsync(name, type, default);
        Assert.Equal(2, QueriesFor(key));
    }

    [Fact]
    public async Task A_positive_answer_is_served_from_the_cache_until_its_least_TTL_runs_out_RFC2181_5_2()
    {
        _server.AddRecord(new ARecord(DomainName.Parse("mx.example.test"), 60, IPAddress.Parse("192.0.2.1")));
        _server.AddRecord(new ARecord(DomainName.Parse("mx.example.test"), 30, IPAddress.Parse("192.0.2.2")));
        await AssertCachedForAsync(Resolver(), "mx.example.test", RecordType.A, TimeSpan.FromSeconds(30), DnsAnswerStatus.Success);
    }

    [Fact]
    public async Task A_long_TTL_is_capped_by_CacheMaxTtl()
    {
        _server.AddRecord(new ARecord(DomainName.Parse("long.example.test"), 86400 * 7, IPAddress.Parse("192.0.2.1")));
        await AssertCachedForAsync(Resolver(o => o.CacheMaxTtl = TimeSpan.FromMinutes(10)), "long.example.test", RecordType.A,
            TimeSpan.FromMinutes(10), DnsAnswerStatus.Success);
    }

    [Fact]
    public async Task NXDOMAIN_is_cached_for_the_SOA_minimum_RFC2308_5()
    {
        _server.SetNegativeSoa("example.test", minimum: 120);
        await AssertCachedForAsync(Resolver(), "nope.example.test", RecordType.Txt, TimeSpan.FromSeconds(120), DnsAnswerStatus.NxDomain);
    }

    [Fact]
    public async Task NODATA_is_cached_for_the_SOA_minimum_capped_by_NegativeCacheMaxTtl()
    {
        _server.AddA("host.example.test", "192.0.2.9").SetNegativeSoa("example.test", minimum: 86400, ttl: 86400);
        await AssertCachedForAsync(Resolver(o => o.NegativeCacheMaxTtl = TimeSpan.FromMinutes(5)), "host.example.test", RecordType.Mx,
            TimeSpan.FromMinutes(5), DnsAnswerStatus.NoData);
    }

    [Fact]
    public async Task A_negative_answer_without_SOA_is_not_cached_RFC2308_5()
    {
        var dns = Resolver();
        await dns.QueryAsync("nosoa.example.test", RecordType.A, default);
        await dns.QueryAsync("nosoa.example.test", RecordType.A, default);
        Assert.Equal(2, QueriesFor("nosoa.example.test/A"));
    }

    [Fact]
    public async Task SERVFAIL_is_never_cached()
    {
        _server.SetServFail("broken.example.test");
        var dns = Resolver();
        Assert.Equal(DnsAnswerStatus.TemporaryFailure, (await dns.QueryAsync("broken.example.test", RecordType.Txt, default)).Status);
        Assert.Equal(DnsAnswerStatus.TemporaryFailure, (await dns.QueryAsync("broken.example.test", RecordType.Txt, default)).Status);
        Assert.Equal(2, QueriesFor("broken.example.test/Txt"));
        Assert.Equal(0, dns.Cache!.Count);
    }

    [Fact]
    public async Task The_cache_never_holds_more_than_CacheMaxEntries()
    {
        for (var i = 0; i < 30; i++) _server.AddA($"h{i}.example.test", "192.0.2.1");
        var dns = Resolver(o => o.CacheMaxEntries = 10);
        for (var i = 0; i < 30; i++)
        {
            await dns.QueryAsync($"h{i}.example.test", RecordType.A, default);
            Assert.True(dns.Cache!.Count <= 10, $"{dns.Cache.Count} entries after {i + 1} names");
        }
    }

    [Fact]
    public async Task CacheMaxEntries_zero_turns_the_cache_off()
    {
        _server.AddA("h.example.test", "192.0.2.1");
        var dns = Resolver(o => o.CacheMaxEntries = 0);
        await dns.QueryAsync("h.example.test", RecordType.A, default);
        await dns.QueryAsync("h.example.test", RecordType.A, default);
        Assert.Null(dns.Cache);
        Assert.Equal(2, QueriesFor("h.example.test/A"));
    }

    [Fact]
    public async Task The_strings_of_one_TXT_record_are_joined_without_spaces_RFC7208_3_3()
    {
        _server.AddTxtStrings("example.test", "v=spf1 ip4:192.0.2.0/24", " -all").AddTxt("example.test", "other");
        var (answer, texts) = await Resolver().QueryTxtAsync("example.test", default);
        Assert.Equal(DnsAnswerStatus.Success, answer.Status);
        Assert.Contains("v=spf1 ip4:192.0.2.0/24 -all", texts);
        Assert.Contains("other", texts);
    }

    [Fact]
    public async Task PTR_MX_and_address_helpers_return_names_and_addresses()
    {
        _server.AddPtr("192.0.2.7", "mail.example.test").AddMx("example.test", 20, "b.example.test").AddMx("example.test", 10, "a.example.test")
            .AddAaaa("a.example.test", "2001:db8::1");
        var dns = Resolver();
        Assert.Equal(new[] { "mail.example.test" }, (await dns.QueryPtrAsync(IPAddress.Parse("192.0.2.7"), default)).Names);
        Assert.Equal(new[] { "a.example.test", "b.example.test" }, (await dns.QueryMxNamesAsync("example.test", default)).Exchanges);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), Assert.Single((await dns.QueryAddressesAsync("a.example.test", true, default)).Addresses));
    }

    public void Dispose() => _server.Dispose();
}
