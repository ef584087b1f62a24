using System.Net;
using Microsoft.Extensions.Time.Testing;
using Postbote.Dns;
using Postbote.MailAuth.Spf;
using Postbote.TestSupport;

namespace Postbote.MailAuth.Tests.Spf;

public sealed class SpfEvaluatorTests : IDisposable
{
    private readonly TestDnsServer _dns = new();

    private SpfEvaluator Evaluator(MailAuthOptions? options = null, TimeProvider? time = null, TimeSpan? queryTimeout = null)
        => new(new DnsResolver(new DnsOptions { Servers = { _dns.Endpoint }, QueryTimeout = queryTimeout ?? TimeSpan.FromSeconds(5) }),
            options ?? new MailAuthOptions(), "mx.example.net", time);

    [Fact]
    public async Task The_evaluation_past_its_time_budget_is_a_temperror_RFC7208_4_6_4()
    {
        _dns.AddTxt("slow.test", "v=spf1 a:hang.slow.test -all").SetHanging("hang.slow.test");
        var time = new FakeTimeProvider();
        var spf = Evaluator(new MailAuthOptions { SpfTimeBudget = TimeSpan.FromSeconds(20) }, time, queryTimeout: TimeSpan.FromSeconds(60));
        var check = spf.CheckAsync(IPAddress.Parse("192.0.2.1"), "client.test", "bob@slow.test", CancellationToken.None);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!_dns.Queries.Contains("hang.slow.test/A")) await Task.Delay(10, deadline.Token);
        time.Advance(TimeSpan.FromSeconds(21));
        var result = await check.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(SpfResult.TempError, result.Result);
        Assert.Contains("longer than 20 s", result.Explanation);
    }

    [Fact]
    public async Task The_eleventh_DNS_mechanism_is_a_permerror_RFC7208_4_6_4()
    {
        _dns.AddTxt("many.test", "v=spf1 " + string.Join(' ', Enumerable.Range(1, 11).Select(i => $"a:h{i}.many.test")) + " -all");
        for (var i = 1; i <= 11; i++) _dns.AddA($"h{i}.many.test", "198.51.100.1");
        var check = await Evaluator().CheckAsync(IPAddress.Parse("192.0.2.1"), "client.test", "bob@many.test", CancellationToken.None);
        Assert.Equal(SpfResult.PermError, check.Result);
        var tenOk = await Evaluator(new MailAuthOptions { SpfDnsLookupLimit = 11 })
            .CheckAsync(IPAddress.Parse("192.0.2.1"), "client.test", "bob@many.test", CancellationToken.None);
        Assert.Equal(SpfResult.Fail, tenOk.Result);
    }

    [Fact]
    public async Task The_third_void_lookup_is_a_permerror_RFC7208_4_6_4()
    {
        _dns.AddTxt("void.test", "v=spf1 a:n1.void.test a:n2.void.test a:n3.void.test -all");
        var check = await Evaluator().CheckAsync(IPAddress.Parse("192.0.2.1"), "client.test", "bob@void.test", CancellationToken.None);
        Assert.Equal(SpfResult.PermError, check.Result);
        Assert.Contains("void", check.Explanation);
    }

    [Fact]
    public async Task The_null_sender_is_checked_as_postmaster_at_the_HELO_name_RFC7208_2_3()
    {
        _dns.AddTxt("helo.test", "v=spf1 exists:%{l}.%{d}.x.test -all").AddA("postmaster.helo.test.x.test", "127.0.0.2");
        var check = await Evaluator().CheckAsync(IPAddress.Parse("192.0.2.1"), "helo.test", "", CancellationToken.None);
        Assert.Equal((SpfResult.Pass, "helo", "helo.test"), (check.Result, check.Identity, check.Domain));
    }

    [Fact]
    public async Task An_IPv4_mapped_IPv6_client_is_checked_as_IPv4_RFC7208_5()
    {
        _dns.AddTxt("v4.test", "v=spf1 ip4:192.0.2.0/24 -all");
        var check = await Evaluator().CheckAsync(IPAddress.Parse("::ffff:192.0.2.9"), "c.test", "a@v4.test", CancellationToken.None);
        Assert.Equal(SpfResult.Pass, check.Result);
    }

    [Fact]
    public async Task An_internationalised_sender_domain_is_looked_up_as_its_A_label_RFC8616_4()
    {
        _dns.AddTxt("xn--bcher-kva.test", "v=spf1 ip4:192.0.2.0/24 -all");
        var check = await Evaluator().CheckAsync(IPAddress.Parse("192.0.2.9"), "c.test", "bob@bücher.test", CancellationToken.None);
        Assert.Equal((SpfResult.Pass, "xn--bcher-kva.test"), (check.Result, check.Domain));
    }

    public void Dispose() => _dns.Dispose();
}
