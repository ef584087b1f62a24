using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;

namespace Postbote.IntegrationTests.Cli;

/// <summary>`postbote auth spf`: the result word on the first line, the explanation after it, exit 0 whatever the result.</summary>
public sealed class AuthSpfCommandTests
{
    private static Task<ExternalTool.Result> Postbote(params string[] args) =>
        ExternalTool.RunAsync("dotnet", new[] { CliServer.Dll, "auth", "spf" }.Concat(args), null, TimeSpan.FromSeconds(60));

    private static TestDnsServer Zone() => new TestDnsServer()
        .AddTxt("pass.test", "v=spf1 ip4:192.0.2.0/24 -all")
        .AddTxt("fail.test", "v=spf1 -all exp=why.fail.test")
        .AddTxt("why.fail.test", "%{i} may not send for %{d}")
        .AddTxt("soft.test", "v=spf1 a:mail.soft.test ~all")
        .AddA("mail.soft.test", "198.51.100.1")
        .AddTxt("mx.helo.test", "v=spf1 a -all")
        .AddA("mx.helo.test", "192.0.2.25");

    [Theory]
    [InlineData("192.0.2.7", "bob@pass.test", "pass", "pass.test designates 192.0.2.7 as permitted sender")]
    [InlineData("192.0.2.7", "bob@fail.test", "fail", "192.0.2.7 may not send for fail.test")]
    [InlineData("192.0.2.7", "bob@soft.test", "softfail", "soft.test does not designate 192.0.2.7")]
    [InlineData("192.0.2.7", "bob@nospf.test", "none", "nospf.test publishes no SPF record")]
    public async Task The_first_line_is_the_result_word_and_the_explanation_follows(string ip, string from, string word, string explanation)
    {
        using var dns = Zone();
        var r = await Postbote("--ip", ip, "--helo", "client.example", "--mail-from", from, "--dns", dns.Endpoint);
        Assert.True(r.ExitCode == 0, r.Output);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(word, lines[0].TrimEnd('\r'));
        Assert.Contains(explanation, lines[1]);
    }

    [Fact]
    public async Task The_null_sender_is_checked_with_the_HELO_identity_RFC7208_2_3()
    {
        using var dns = Zone();
        var r = await Postbote("--ip", "192.0.2.25", "--helo", "mx.helo.test", "--mail-from", "<>", "--dns", dns.Endpoint);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.StartsWith("pass\n", r.Stdout.Replace("\r", ""));
        Assert.Contains("identity=helo; domain=mx.helo.test", r.Stdout);
    }

    [Fact]
    public async Task A_DNS_server_that_fails_gives_temperror_and_exit_0()
    {
        using var dns = new TestDnsServer().SetServFail("down.test");
        var r = await Postbote("--ip", "192.0.2.7", "--helo", "client.example", "--mail-from", "bob@down.test", "--dns", dns.Endpoint);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.StartsWith("temperror\n", r.Stdout.Replace("\r", ""));
    }

    [Theory]
    [InlineData("--ip", "not-an-ip", "--mail-from", "bob@pass.test")]
    [InlineData("--mail-from", "bob@pass.test")]
    [InlineData("--ip", "192.0.2.7")]
    [InlineData("--ip", "192.0.2.7", "--mail-from", "no-at-sign")]
    [InlineData("--ip", "192.0.2.7", "--mail-from", "bob@pass.test", "--dns", "dns.example:53")]
    public async Task Bad_arguments_exit_64_with_a_message(params string[] args)
    {
        var r = await Postbote(args);
        Assert.True(r.ExitCode == 64, r.Output);
        Assert.Contains("postbote auth spf:", r.Stderr);
    }
}
