using System.Net;
using Microsoft.Extensions.Time.Testing;
using Postbote.Dns;
using Postbote.MailAuth.Dkim;
using Postbote.MailAuth.Readiness;
using Postbote.MailAuth.Spf;
using Postbote.TestSupport;

namespace Postbote.MailAuth.Tests.Readiness;

/// <summary>`postbote dns check`'s checks against good and bad zones served by a test DNS server on loopback.</summary>
public sealed class DomainReadinessTests : IDisposable
{
    private const string Host = "mx.example.org";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "postbote-ready-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
    private readonly TestDnsServer _dns = new();
    private readonly DkimKeyStore _store;
    private readonly DkimSigningKey _key;

    public DomainReadinessTests()
    {
        _store = new DkimKeyStore(_root);
        _key = _store.Create("example.org", "pb202612", DkimAlgorithm.RsaSha256, 2048, _time.GetUtcNow());
    }

    public void Dispose()
    {
        _key.Dispose();
        _dns.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>The zone of a domain ready to send from 192.0.2.25.</summary>
    private void GoodZone()
    {
        _dns.AddMx("example.org", 10, Host).AddA(Host, "192.0.2.25").AddPtr("192.0.2.25", Host)
            .AddTxt("example.org", "v=spf1 mx -all")
            .AddTxt("_dmarc.example.org", "v=DMARC1; p=reject; rua=mailto:dmarc@example.org");
        PublishKey(_key.TxtRecord);
    }

    // A 2048-bit key's record is longer than one TXT string: served split, as a zone file has it.
    private void PublishKey(string txt) =>
        _dns.AddTxtStrings(_key.RecordName, Enumerable.Range(0, (txt.Length + 254) / 255).Select(i => txt.Substring(i * 255, Math.Min(255, txt.Length - i * 255))).ToArray());

    private async Task<IReadOnlyList<ReadinessItem>> CheckAsync(params string[] outbound)
    {
        var dns = new DnsResolver(new DnsOptions { Servers = [_dns.Endpoint], QueryTimeout = TimeSpan.FromSeconds(2) });
        var readiness = new DomainReadiness(dns, new SpfEvaluator(dns, new MailAuthOptions(), Host, _time), _store, Host);
        return await readiness.CheckAsync("example.org", outbound.Length == 0 ? null : outbound.Select(IPAddress.Parse).ToList(), CancellationToken.None);
    }

    private static ReadinessItem One(IReadOnlyList<ReadinessItem> items, string check) => Assert.Single(items, i => i.Check == check);

    [Fact]
    public async Task A_ready_domain_is_OK_on_every_line()
    {
        GoodZone();
        var items = await CheckAsync();
        Assert.All(items, i => Assert.True(i.Status == ReadinessStatus.Ok, $"{i.StatusWord} {i.Check} {i.Detail}"));
        Assert.Equal(["MX", "A/AAAA", "PTR", "SPF", "DKIM", "DMARC"], items.Select(i => i.Check));
        Assert.Equal("192.0.2.25 PTR mx.example.org, which resolves back to it (FCrDNS)", One(items, "PTR").Detail);
        Assert.Equal("pb202612._domainkey.example.org (rsa-sha256, 2048 bits) matches our key", One(items, "DKIM").Detail);
        Assert.All(items, i => Assert.Null(i.Publish));
    }

    [Fact]
    public async Task An_empty_zone_is_MISSING_everywhere_with_the_records_to_publish()
    {
        var items = await CheckAsync("192.0.2.25");
        Assert.All(items, i => Assert.Equal(ReadinessStatus.Missing, i.Status));
        Assert.Equal("example.org. IN MX 10 mx.example.org.", One(items, "MX").Publish);
        Assert.Equal("mx.example.org. IN A 192.0.2.25", One(items, "A/AAAA").Publish);
        Assert.Equal("25.2.0.192.in-addr.arpa. IN PTR mx.example.org.", One(items, "PTR").Publish);
        Assert.Equal("example.org. IN TXT \"v=spf1 mx ip4:192.0.2.25 -all\"", One(items, "SPF").Publish);
        Assert.Equal(_key.ZoneFileLine, One(items, "DKIM").Publish);
        Assert.Equal("_dmarc.example.org. IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@example.org\"", One(items, "DMARC").Publish);
    }

    [Fact]
    public async Task Records_that_exist_but_do_not_fit_are_WRONG()
    {
        var other = DkimSigningKey.Generate("example.org", "x", DkimAlgorithm.RsaSha256, 1024, _time.GetUtcNow());
        _dns.AddMx("example.org", 10, "mx.elsewhere.example").AddA("mx.elsewhere.example", "198.51.100.9")
            .AddA(Host, "192.0.2.25").AddPtr("192.0.2.25", "host-25.isp.example")
            .AddTxt("example.org", "v=spf1 ip4:198.51.100.0/24 -all")
            .AddTxt("_dmarc.example.org", "v=DMARC1; p=bogus");
        _dns.AddTxt(_key.RecordName, other.TxtRecord);
        var items = await CheckAsync();
        Assert.Equal(ReadinessStatus.Ok, One(items, "A/AAAA").Status);
        Assert.All(items.Where(i => i.Check != "A/AAAA"), i => Assert.True(i.Status == ReadinessStatus.Wrong, $"{i.StatusWord} {i.Check} {i.Detail}"));
        Assert.Equal("example.org MX mx.elsewhere.example: none is mx.example.org", One(items, "MX").Detail);
        Assert.Equal("192.0.2.25 PTR host-25.isp.example, not mx.example.org", One(items, "PTR").Detail);
        Assert.StartsWith("\"v=spf1 ip4:198.51.100.0/24 -all\" gives fail for 192.0.2.25", One(items, "SPF").Detail);
        Assert.Equal("pb202612._domainkey.example.org publishes another key than ours: signatures fail", One(items, "DKIM").Detail);
        Assert.StartsWith("\"v=DMARC1; p=bogus\" cannot be used", One(items, "DMARC").Detail);
    }

    [Fact]
    public async Task A_PTR_naming_us_without_the_address_coming_back_is_not_FCrDNS()
    {
        GoodZone();
        _dns.AddPtr("192.0.2.26", Host);
        var ptr = One(await CheckAsync("192.0.2.26"), "PTR");
        Assert.Equal(ReadinessStatus.Wrong, ptr.Status);
        Assert.Equal("mx.example.org. IN A 192.0.2.26", ptr.Publish);
    }

    [Fact]
    public async Task Two_SPF_records_are_WRONG()
    {
        GoodZone();
        _dns.AddTxt("example.org", "v=spf1 -all");
        var items = await CheckAsync();
        Assert.Equal("example.org publishes 2 SPF records: receivers take none (permerror, RFC 7208 §4.5)", One(items, "SPF").Detail);
    }

    [Fact]
    public async Task A_DNS_failure_is_WRONG_and_says_try_again_never_OK()
    {
        GoodZone();
        _dns.SetServFail("_dmarc.example.org");
        var dmarc = One(await CheckAsync(), "DMARC");
        Assert.Equal(ReadinessStatus.Wrong, dmarc.Status);
        Assert.Contains("lookup of _dmarc.example.org failed", dmarc.Detail);
    }
}
