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
}
