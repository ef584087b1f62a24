using System.Net;
using System.Text.Json;
using Postbote.Dns;
using Postbote.MailAuth.Spf;
using Postbote.TestSupport;

namespace Postbote.MailAuth.Tests.Spf;

/// <summary>Every scenario of the openspf RFC 7208 test suite, against a loopback DNS server loaded from its zonedata.</summary>
public sealed class Rfc7208SuiteTests
{
    public static IEnumerable<object[]> Cases() => Rfc7208Suite.Cases();

    [Fact]
    public void The_whole_suite_is_run_but_the_three_non_ascii_tests()
    {
        Assert.Equal(203, Rfc7208Suite.AllCases().Count());
        Assert.Equal(200, Rfc7208Suite.Cases().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Rfc7208_test_suite(int scenario, string test)
    {
        var doc = Rfc7208Suite.Scenario(scenario);
        var t = doc.GetProperty("tests").GetProperty(test);
        using var server = new TestDnsServer();
        Rfc7208Suite.Load(server, doc);
        var dns = new DnsResolver(new DnsOptions { Servers = { server.Endpoint }, QueryTimeout = TimeSpan.FromSeconds(5), CacheMaxEntries = 0 });
        var spf = new SpfEvaluator(dns, new MailAuthOptions(), "");

        var check = await spf.CheckAsync(IPAddress.Parse(t.GetProperty("host").GetString()!), t.GetProperty("helo").GetString()!,
            t.GetProperty("mailfrom").GetString(), CancellationToken.None);

        var expected = t.GetProperty("result");
        var allowed = expected.ValueKind == JsonValueKind.Array ? expected.EnumerateArray().Select(e => e.GetString()!).ToArray() : new[] { expected.GetString()! };
        Assert.True(allowed.Contains(check.ResultWord), $"{test} ({t.GetProperty("spec")}): expected {string.Join(" or ", allowed)}, got {check.ResultWord}: {check.Explanation}");
        if (check.Result == SpfResult.Fail && t.TryGetProperty("explanation", out var exp) && exp.GetString() != "DEFAULT")
            // Case-insensitive: v-macro-ip6 expects upper-case nibbles for %{ir}, where RFC 7208 §7.4's example has lower case (ours).
            Assert.Equal(exp.GetString(), check.Explanation, ignoreCase: true);
    }
}
