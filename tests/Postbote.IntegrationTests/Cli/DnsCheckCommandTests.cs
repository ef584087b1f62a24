using System.Text.Json;
using Postbote.TestSupport;

namespace Postbote.IntegrationTests.Cli;

/// <summary>`postbote dns check DOMAIN`: one OK/MISSING/WRONG line per check with the record to publish; exit 0 only when ready.</summary>
public sealed class DnsCheckCommandTests
{
    [Fact]
    public async Task A_ready_domain_exits_0_and_a_bare_one_exits_1_with_the_records_to_publish()
    {
        await using var p = CliServer.Create();
        var keygen = await p.RunAsync(["dkim", "keygen", "test.local", "--selector", "s1", "--bits", "1024", "--json"]);
        Assert.True(keygen.ExitCode == 0, keygen.Output);
        var txt = JsonDocument.Parse(keygen.Stdout).RootElement.GetProperty("txt").GetString()!;

        using (var bare = new TestDnsServer())
        {
            var r = await p.RunAsync(["dns", "check", "test.local", "--ip", "192.0.2.25", "--dns", bare.Endpoint]);
            Assert.True(r.ExitCode == 1, r.Output);
            var lines = r.Stdout.Replace("\r", "").Split('\n');
            Assert.Equal("test.local: sending from mx.test.local", lines[0]);
            Assert.StartsWith("MISSING  MX      test.local has no MX record", lines[1]);
            Assert.Equal("                 publish: test.local. IN MX 10 mx.test.local.", lines[2]);
            Assert.Contains("                 publish: s1._domainkey.test.local. IN TXT \"" + txt + "\"", lines);
            Assert.Contains("test.local is not ready: 6 of 6 checks need attention.", lines);
        }

        using var good = new TestDnsServer().AddMx("test.local", 10, "mx.test.local").AddA("mx.test.local", "192.0.2.25")
            .AddPtr("192.0.2.25", "mx.test.local").AddTxt("test.local", "v=spf1 mx -all").AddTxt("s1._domainkey.test.local", txt)
            .AddTxt("_dmarc.test.local", "v=DMARC1; p=quarantine");
        var ok = await p.RunAsync(["dns", "check", "test.local", "--dns", good.Endpoint, "--json"]);
        Assert.True(ok.ExitCode == 0, ok.Output);
        var json = JsonDocument.Parse(ok.Stdout).RootElement;
        Assert.True(json.GetProperty("ready").GetBoolean());
        Assert.Equal(["MX", "A/AAAA", "PTR", "SPF", "DKIM", "DMARC"], json.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("check").GetString()));
        Assert.All(json.GetProperty("checks").EnumerateArray(), c => Assert.Equal("OK", c.GetProperty("status").GetString()));
    }

    [Theory]
    [InlineData("not a domain", "--dns", "127.0.0.1:53")]
    [InlineData("test.local", "--dns", "nowhere")]
    [InlineData("test.local", "--ip", "999.1.1.1")]
    public async Task Bad_arguments_exit_64(string domain, string option, string value)
    {
        await using var p = CliServer.Create();
        var r = await p.RunAsync(["dns", "check", domain, option, value]);
        Assert.True(r.ExitCode == 64, r.Output);
        Assert.StartsWith("postbote dns check: ", r.Stderr);
    }
}
