using System.Text.Json;

namespace Postbote.IntegrationTests.Cli;

/// <summary>The queue commands of the real binary, against a running server (admin socket) and a stopped one (spool files).</summary>
public sealed class CliQueueTests
{
    private const string Message = "From: app@test.local\nTo: bob@example.net\nSubject: queued\n\nhello\n";

    private static async Task<string> SubmitAsync(CliServer p, string recipient = "bob@example.net")
    {
        var r = await p.RunAsync(["sendmail", "-f", "app@test.local", recipient], Message);
        Assert.True(r.ExitCode == 0, r.Output);
        var queue = await p.QueueAsync();
        return queue.Last().GetProperty("id").GetString()!;
    }

    private static string State(JsonElement[] queue, string id) => queue.Single(e => e.GetProperty("id").GetString() == id).GetProperty("state").GetString()!;

    [Fact]
    public async Task QueueCommands_RunningServer_WorkThroughTheAdminSocket()
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        string id = await SubmitAsync(p);

        var list = await p.RunAsync(["queue", "list"]);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(id, list.Stdout);
        Assert.Contains("bob@example.net", list.Stdout);
        Assert.DoesNotContain("server not running", list.Stdout);
        Assert.Single(await QueueFiltered(p, "--domain", "example.net"));
        Assert.Empty(await QueueFiltered(p, "--sender", "nobody@"));

        var show = await p.RunAsync(["queue", "show", id]);
        Assert.True(show.ExitCode == 0, show.Output);
        Assert.Contains("Subject: queued", show.Stdout);
        Assert.Contains("(Postbote, from userid", show.Stdout);
        Assert.Contains("pending", show.Stdout);

        Assert.Equal(0, (await p.RunAsync(["queue", "hold", id])).ExitCode);
        Assert.Equal("hold", State(await p.QueueAsync(), id));
        Assert.True(File.Exists(Path.Combine(p.DataDirectory, "queue", "hold", id + ".json")));
        Assert.Equal(65, (await p.RunAsync(["queue", "hold", id])).ExitCode);
        Assert.Equal(0, (await p.RunAsync(["queue", "release", id])).ExitCode);
        Assert.Equal("active", State(await p.QueueAsync(), id));
        var flush = await p.RunAsync(["queue", "flush", "--json"]);
        Assert.True(flush.ExitCode == 0, flush.Output);
        Assert.Equal(0, (await p.RunAsync(["queue", "flush", id])).ExitCode);

        // bounce: the recipients fail and the sender gets a DSN, which is queued in turn
        var bounce = await p.RunAsync(["queue", "bounce", id]);
        Assert.True(bounce.ExitCode == 0, bounce.Output);
        var after = await p.QueueAsync();
        Assert.DoesNotContain(after, e => e.GetProperty("id").GetString() == id);
        Assert.Contains(after, e => e.GetProperty("sender").GetString() == "" && e.GetProperty("recipients")[0].GetProperty("address").GetString() == "app@test.local");

        await SubmitAsync(p);
        var deleteAll = await p.RunAsync(["queue", "delete", "--all", "--yes"]);
        Assert.True(deleteAll.ExitCode == 0, deleteAll.Output);
        Assert.Empty(await p.QueueAsync());
    }

    [Fact]
    public async Task QueueCommands_UnknownOrInvalidId_ClearErrorAndSysexits()
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        foreach (var op in new[] { "show", "hold", "release", "bounce", "delete" })
        {
            string[] args = op == "delete" ? ["queue", op, "ZZZZZZZZZZZZ", "--yes"] : ["queue", op, "ZZZZZZZZZZZZ"];
            var unknown = await p.RunAsync(args);
            Assert.True(unknown.ExitCode == 66, $"{op}: {unknown.Output}");
            Assert.Contains("no such message", unknown.Stderr);
            var invalid = await p.RunAsync(["queue", op, "not-an-id"]);
            Assert.True(invalid.ExitCode == 64, $"{op}: {invalid.Output}");
            Assert.Contains("is not a queue id", invalid.Stderr);
        }
    }

    [Fact]
    public async Task QueueCommands_StoppedServer_WorkOnTheSpool_AndTheNextStartDelivers()
    {
        await using var p = CliServer.Create();
        string id = await SubmitAsync(p); // no server: sendmail writes into the spool
        var list = await p.RunAsync(["queue", "list"]);
        Assert.Contains(id, list.Stdout);
        Assert.Contains("server not running", list.Stdout);
        Assert.Contains("LOCAL", (await p.RunAsync(["queue", "show", id])).Stdout);

        Assert.Equal(0, (await p.RunAsync(["queue", "hold", id])).ExitCode);
        Assert.Equal("hold", State(await p.QueueAsync(), id));
        Assert.Equal(0, (await p.RunAsync(["queue", "release", id])).ExitCode);
        var flush = await p.RunAsync(["queue", "flush"]);
        Assert.Equal(69, flush.ExitCode);
        Assert.Contains("not running", flush.Stderr);
        var bounce = await p.RunAsync(["queue", "bounce", id]);
        Assert.Equal(69, bounce.ExitCode);

        string second = await SubmitAsync(p, "carol@example.net");
        Assert.Equal(0, (await p.RunAsync(["queue", "delete", id, "--yes"])).ExitCode);
        Assert.Equal(66, (await p.RunAsync(["queue", "delete", id, "--yes"])).ExitCode);

        // The server picks up what was queued while it was down; after a crash the stale socket does not confuse the CLI.
        await p.StartAsync();
        Assert.Contains(second, (await p.RunAsync(["queue", "list"])).Stdout);
        await p.KillAsync();
        Assert.True(File.Exists(p.AdminSocket));
        var stale = await p.RunAsync(["queue", "list"]);
        Assert.True(stale.ExitCode == 0, stale.Output);
        Assert.Contains("server not running", stale.Stdout);
    }

    private static async Task<JsonElement[]> QueueFiltered(CliServer p, params string[] filter)
    {
        var r = await p.RunAsync(["queue", "list", "--json", .. filter]);
        Assert.True(r.ExitCode == 0, r.Output);
        return JsonDocument.Parse(r.Stdout).RootElement.EnumerateArray().ToArray();
    }
}
