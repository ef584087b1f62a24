using System.Text.Json;

namespace Postbote.IntegrationTests.Cli;

/// <summary>Issue 15: `postbote admin add|passwd|remove|list` manage the dashboard's administrators in the directory.</summary>
public sealed class AdminCommandTests
{
    [Fact]
    public async Task AddListPasswdRemove_RoundTrip_AndMailUserIsNoAdmin()
    {
        await using var p = CliServer.Create();
        var add = await p.RunAsync(["admin", "add", "Alice", "--password-stdin"], "Admin-pw-1\n");
        Assert.True(add.ExitCode == 0, add.Output);
        Assert.Contains("admin alice added", add.Stdout);

        var dup = await p.RunAsync(["admin", "add", "alice", "--password-stdin"], "x-pw-2\n");
        Assert.Equal(65, dup.ExitCode);
        Assert.Contains("already exists", dup.Stderr);
        var bad = await p.RunAsync(["admin", "add", "bob@test.local", "--password-stdin"], "x-pw-2\n");
        Assert.Equal(65, bad.ExitCode);
        Assert.Contains("not an admin name", bad.Stderr);

        var list = await p.RunAsync(["admin", "list", "--json"]);
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Equal(["alice"], JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()));

        Assert.Equal(0, (await p.RunAsync(["admin", "passwd", "alice", "--password-stdin"], "Admin-pw-2\n")).ExitCode);
        Assert.Equal(66, (await p.RunAsync(["admin", "passwd", "nobody", "--password-stdin"], "Admin-pw-2\n")).ExitCode);

        using (var directory = await Postbote.Directory.SqliteMailDirectory.OpenAsync(Path.Combine(p.DataDirectory, "directory.db")))
        {
            Assert.Null(await directory.VerifyAdminAsync("alice", "Admin-pw-1"));
            Assert.NotNull(await directory.VerifyAdminAsync("alice", "Admin-pw-2"));
        }

        var remove = await p.RunAsync(["admin", "remove", "alice"]);
        Assert.True(remove.ExitCode == 0, remove.Output);
        Assert.Equal(66, (await p.RunAsync(["admin", "remove", "alice"])).ExitCode);
        Assert.Equal("[]", (await p.RunAsync(["admin", "list", "--json"])).Stdout.Trim());
    }
}
