using System.Text.Json;
using System.Text.RegularExpressions;

namespace Postbote.IntegrationTests.Cli;

/// <summary>`postbote dkim keygen|list|show|rotate|remove` of the real binary, on a stopped server's data directory.</summary>
public sealed partial class DkimCommandTests
{
    private static string ThisMonthsSelector => "pb" + DateTime.UtcNow.ToString("yyyyMM");

    [Fact]
    public async Task Keygen_prints_exactly_the_zone_file_line_and_writes_a_0600_key()
    {
        await using var p = CliServer.Create();
        var r = await p.RunAsync(["dkim", "keygen", "Example.org"]);
        Assert.True(r.ExitCode == 0, r.Output);
        var line = Assert.Single(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var m = ZoneLine().Match(line.TrimEnd('\r'));
        Assert.True(m.Success, line);
        Assert.Equal(ThisMonthsSelector, m.Groups["selector"].Value);
        var txt = string.Concat(Regex.Matches(m.Groups["strings"].Value, "\"([^\"]*)\"").Select(s => s.Groups[1].Value));
        Assert.StartsWith("v=DKIM1; k=rsa; p=MIIBIjAN", txt); // RSA 2048 by default
        var key = Path.Combine(p.DataDirectory, "dkim", "example.org", ThisMonthsSelector + ".key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(key));
    }

    [Fact]
    public async Task Keygen_json_selector_and_ed25519()
    {
        await using var p = CliServer.Create();
        var r = await p.RunAsync(["dkim", "keygen", "example.org", "--selector", "ed1", "--algorithm", "ed25519", "--json"]);
        Assert.True(r.ExitCode == 0, r.Output);
        var json = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("example.org", json.GetProperty("domain").GetString());
        Assert.Equal("ed1", json.GetProperty("selector").GetString());
        Assert.Equal("ed25519-sha256", json.GetProperty("algorithm").GetString());
        Assert.Equal("ed1._domainkey.example.org.", json.GetProperty("name").GetString());
        Assert.Matches("^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$", json.GetProperty("txt").GetString());
    }

    [Fact]
    public async Task Rotate_keeps_the_old_key_signing_until_remove()
    {
        await using var p = CliServer.Create();
        Assert.Equal(0, (await p.RunAsync(["dkim", "keygen", "example.org", "--selector", "old", "--bits", "1024"])).ExitCode);
        var rotate = await p.RunAsync(["dkim", "rotate", "example.org", "--bits", "1024"]);
        Assert.True(rotate.ExitCode == 0, rotate.Output);
        Assert.Contains(ThisMonthsSelector + "._domainkey.example.org. IN TXT", rotate.Stdout);
        Assert.Contains("old keeps signing until removed", rotate.Stderr);

        var list = JsonDocument.Parse((await p.RunAsync(["dkim", "list", "--json"])).Stdout).RootElement.EnumerateArray()
            .ToDictionary(k => k.GetProperty("selector").GetString()!, k => k.GetProperty("signing").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { ["old"] = true, [ThisMonthsSelector] = false }, list);
        var show = await p.RunAsync(["dkim", "show", "example.org"]);
        Assert.True(show.ExitCode == 0, show.Output);
        Assert.Contains("old._domainkey.example.org. IN TXT \"v=DKIM1; k=rsa; p=", show.Stdout);

        var remove = await p.RunAsync(["dkim", "remove", "example.org", "old"]);
        Assert.True(remove.ExitCode == 0, remove.Output);
        var after = JsonDocument.Parse((await p.RunAsync(["dkim", "list", "--json"])).Stdout).RootElement.EnumerateArray().Single();
        Assert.Equal(ThisMonthsSelector, after.GetProperty("selector").GetString());
        Assert.True(after.GetProperty("signing").GetBoolean());
    }

    [Theory]
    [InlineData(64, "dkim", "keygen", "not a domain")]
    [InlineData(64, "dkim", "keygen", "example.org", "--algorithm", "dsa")]
    [InlineData(64, "dkim", "keygen", "example.org", "--bits", "512")]
    [InlineData(64, "dkim", "keygen", "example.org", "--selector", "../../x")]
    [InlineData(66, "dkim", "show", "example.org")]
    [InlineData(66, "dkim", "rotate", "example.org")]
    [InlineData(66, "dkim", "remove", "example.org", "pb202001")]
    public async Task Bad_arguments_and_unknown_keys_give_a_message_and_sysexits(int exitCode, params string[] args)
    {
        await using var p = CliServer.Create();
        var r = await p.RunAsync(args);
        Assert.True(r.ExitCode == exitCode, r.Output);
        Assert.StartsWith("postbote: ", r.Stderr);
        Assert.DoesNotContain("   at ", r.Output); // no stack trace
    }

    [GeneratedRegex("^(?<selector>[a-z0-9-]+)\\._domainkey\\.example\\.org\\. IN TXT (?<strings>\"[^\"]{1,255}\"( \"[^\"]{1,255}\")*)$")]
    private static partial Regex ZoneLine();
}
