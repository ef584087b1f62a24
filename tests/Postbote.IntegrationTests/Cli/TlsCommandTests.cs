using System.Text.Json;
using Postbote.Core.Delivery;
using Postbote.Delivery.Tls;

namespace Postbote.IntegrationTests.Cli;

/// <summary>`postbote tls list|forget` of the real binary on the data directory's tls-levels.db.</summary>
public sealed class TlsCommandTests
{
    [Fact]
    public async Task List_shows_learned_levels_and_forget_clears_one()
    {
        await using var p = CliServer.Create();
        System.IO.Directory.CreateDirectory(p.DataDirectory);
        var empty = await p.RunAsync(["tls", "list"]);
        Assert.True(empty.ExitCode == 0, empty.Output);
        Assert.Contains("no learned TLS levels", empty.Stdout);
        using (var store = LearnedTlsLevels.Open(Path.Combine(p.DataDirectory, LearnedTlsLevels.FileName)))
        {
            store.Learn("verified.example", new TransportSecurity("verified", "TLSv1.3", "TLS_AES_256_GCM_SHA384"));
            store.Learn("selfsigned.example", new TransportSecurity("opportunistic", "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        }

        var list = await p.RunAsync(["tls", "list", "--json"]);
        Assert.True(list.ExitCode == 0, list.Output);
        var entries = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("domain").GetString(), e.GetProperty("level").GetString())).ToArray();
        Assert.Equal([("selfsigned.example", "encrypted"), ("verified.example", "verified")], entries);

        var forget = await p.RunAsync(["tls", "forget", "Verified.Example."]);
        Assert.True(forget.ExitCode == 0, forget.Output);
        Assert.Contains("verified.example: learned TLS level forgotten", forget.Stdout);
        var again = await p.RunAsync(["tls", "forget", "verified.example"]);
        Assert.Equal(66, again.ExitCode);
        Assert.Contains("no learned TLS level for verified.example", again.Stderr);
        Assert.Equal(64, (await p.RunAsync(["tls", "forget", "not a domain"])).ExitCode);
        var table = await p.RunAsync(["tls", "list"]);
        Assert.Contains("selfsigned.example", table.Stdout);
        Assert.DoesNotContain("verified.example", table.Stdout);
    }

    [Fact]
    public async Task DnsRoute_shows_per_MX_the_TLS_policy_and_why()
    {
        await using var p = CliServer.Create();
        using var dns = new Postbote.TestSupport.TestDnsServer()
            .AddMx("bank.test", 10, "mx1.bank.test").AddMx("bank.test", 20, "mx2.bank.test")
            .AddA("mx1.bank.test", "192.0.2.1").AddA("mx2.bank.test", "192.0.2.2")
            .AddMx("learned.test", 10, "mx.learned.test").AddA("mx.learned.test", "192.0.2.3")
            .AddMx("plain.test", 10, "mx.plain.test").AddA("mx.plain.test", "192.0.2.4");
        var data = Path.Combine(p.Directory, "data");
        System.IO.Directory.CreateDirectory(data);
        var config = Path.Combine(p.Directory, "route.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Hostname = "mx.test.local", DataDirectory = data, Domains = new[] { "test.local" },
            Dns = new { Servers = new[] { dns.Endpoint }, Timeout = "00:00:02" },
            Delivery = new { Tls = new { Level = "may", Policies = new[] { new { Destination = "bank.test", Level = "verify", Match = new[] { "hostname", "nexthop" } } } } },
        }));
        using (var store = LearnedTlsLevels.Open(Path.Combine(data, LearnedTlsLevels.FileName)))
            store.Learn("learned.test", new TransportSecurity("verified", "TLSv1.3", "TLS_AES_256_GCM_SHA384"));

        async Task<JsonElement> RouteAsync(string domain)
        {
            var r = await p.RunAsync(["dns", "route", domain, "--json", "--config", config], withConfig: false);
            Assert.True(r.ExitCode == 0, r.Output);
            return JsonDocument.Parse(r.Stdout).RootElement;
        }

        var bank = (await RouteAsync("bank.test")).GetProperty("hosts").EnumerateArray().ToArray();
        Assert.Equal(2, bank.Length);
        foreach (var h in bank)
        {
            var tls = h.GetProperty("tls");
            Assert.Equal("verify", tls.GetProperty("level").GetString());
            Assert.Equal("Delivery:Tls:Policies:0 (bank.test)", tls.GetProperty("source").GetString());
            Assert.Equal([h.GetProperty("name").GetString(), "bank.test"], tls.GetProperty("match").EnumerateArray().Select(m => m.GetString()));
            Assert.Contains("configured policy", tls.GetProperty("why").GetString());
        }
        var learned = (await RouteAsync("learned.test")).GetProperty("hosts")[0].GetProperty("tls");
        Assert.Equal("verify", learned.GetProperty("level").GetString());
        Assert.Contains("learned level verified since", learned.GetProperty("why").GetString());
        Assert.Contains("postbote tls forget learned.test", learned.GetProperty("why").GetString());
        var plain = (await RouteAsync("plain.test")).GetProperty("hosts")[0].GetProperty("tls");
        Assert.Equal("may", plain.GetProperty("level").GetString());
        Assert.Contains("the default level (Delivery:Tls:Level); no policy of its own, nothing learned yet", plain.GetProperty("why").GetString());

        var text = await p.RunAsync(["dns", "route", "bank.test", "--config", config], withConfig: false);
        Assert.Contains("TLS", text.Stdout); // the table's TLS column (wrapped to the terminal's width)
        Assert.Contains("TLS verify: configured policy Delivery:Tls:Policies:0 (bank.test); TLS required, certificate chain to the system store and name verified", text.Stdout);
    }
}
