using System.Text;
using System.Text.Json;
using Postbote.Configuration;
using Postbote.Directory;
using Postbote.Hosting;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport.Peers;

namespace Postbote.IntegrationTests.Cluster;

/// <summary>
/// Issue 16: the server and the CLI on a directory in PostgreSQL (Directory:Provider = Postgres), against a private
/// test cluster: the settings are checked, an unmigrated schema is refused with the command to run, `postbote directory
/// migrate` is idempotent, and a user in the shared directory authenticates on submission.
/// </summary>
public sealed class PostgresDirectoryServerTests(PostgresTestCluster pg) : IClassFixture<PostgresTestCluster>
{
    private static string Plain(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    [Theory]
    [InlineData("Ldap", null, "Directory:Provider: 'Ldap' is not Sqlite or Postgres")]
    [InlineData("Postgres", null, "Directory:ConnectionString is required with Directory:Provider = Postgres")]
    [InlineData("Postgres", "Host=127.0.0.1;Bogus Key=1", "Directory:ConnectionString:")]
    [InlineData("Sqlite", "Host=127.0.0.1", "Directory:ConnectionString is only used with Directory:Provider = Postgres")]
    public void Directory_settings_are_checked_at_start(string provider, string? connectionString, string problem)
    {
        var options = PostboteTestServer.DefaultOptions(Path.GetTempPath());
        options.Directory = new DirectoryOptions { Provider = provider, ConnectionString = connectionString };
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Resolve(options));
        Assert.Contains(e.Problems, p => p.StartsWith(problem, StringComparison.Ordinal));
    }

    /// <summary>A configuration file in <paramref name="dir"/> for the CLI, with the directory in PostgreSQL when <paramref name="cs"/> is set.</summary>
    private static async Task<string> WriteConfigAsync(string dir, string? cs, bool migrateOnStart = false)
    {
        var file = Path.Combine(dir, "postbote.json");
        object directory = cs is null ? new { Provider = "Sqlite" } : new { Provider = "Postgres", ConnectionString = cs, MigrateOnStart = migrateOnStart };
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            Hostname = "mx.test.local",
            DataDirectory = dir,
            Domains = new[] { "test.local" },
            Listeners = new[] { new { Name = "mx", Endpoint = "127.0.0.1:0", Role = "Mx" } },
            Http = new { Endpoint = "" },
            Directory = directory,
        }));
        return file;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] args)
    {
        await using var p = await PostboteProcess.RunAsync(Path.GetDirectoryName(file)!, file, [.. args, "--config", file]);
        int exit = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, string.Join("\n", p.Output));
    }

    private static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "postbote-pgcli-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public async Task Serve_refuses_an_unmigrated_directory_and_directory_migrate_is_idempotent()
    {
        var cs = await pg.CreateSchemaAsync();
        var dir = TempDirectory();
        try
        {
            var file = await WriteConfigAsync(dir, cs);
            var serve = await RunAsync(file, "serve");
            Assert.Equal(69, serve.Exit);
            Assert.Contains("schema version 0, this program needs 1: run 'postbote directory migrate'", serve.Output);
            Assert.DoesNotContain("Password", serve.Output);

            var first = await RunAsync(file, "directory", "migrate");
            Assert.True(first.Exit == 0, first.Output);
            Assert.Contains("directory (Postgres): applied schema version(s) 1; now at version 1", first.Output);
            var again = await RunAsync(file, "directory", "migrate", "--json");
            Assert.True(again.Exit == 0, again.Output);
            Assert.Contains("""{"provider":"Postgres","version":1,"applied":[]}""", again.Output);

            Assert.Equal(0, (await RunAsync(file, "domain", "add", "example.org")).Exit);
            var list = await RunAsync(file, "domain", "list");
            Assert.Equal(["example.org", "test.local"], list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Equal("example.org\ntest.local", await pg.PsqlAsync($"SET search_path = {cs.Split("Search Path=")[1]}; SELECT name FROM domains ORDER BY name"));
        }
        finally
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Directory_export_from_SQLite_and_import_into_PostgreSQL_through_the_CLI()
    {
        var from = TempDirectory();
        var to = TempDirectory();
        try
        {
            using (var sqlite = await SqliteMailDirectory.OpenAsync(Path.Combine(from, "directory.db")))
            {
                await sqlite.AddDomainAsync("test.local");
                await sqlite.AddUserAsync("alice@test.local", "pw-123456", new UserSettings(QuotaBytes: 1000));
                await sqlite.AddAliasAsync("info@test.local", ["alice@test.local", "bob@far.example"]);
            }
            var sqliteConfig = await WriteConfigAsync(from, null);
            var pgConfig = await WriteConfigAsync(to, await pg.CreateSchemaAsync(), migrateOnStart: true);
            var exportFile = Path.Combine(from, "export.json");

            var export = await RunAsync(sqliteConfig, "directory", "export", "--format", "json", "-o", exportFile);
            Assert.True(export.Exit == 0, export.Output);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(exportFile));
            Assert.Equal(64, (await RunAsync(sqliteConfig, "directory", "export", "--format", "xml")).Exit);

            var import = await RunAsync(pgConfig, "directory", "import", exportFile);
            Assert.True(import.Exit == 0, import.Output);
            Assert.Contains("directory (Postgres): imported 1 user(s), 0 admin(s), 0 new domain(s), 2 new alias target(s)", import.Output);

            var back = await RunAsync(pgConfig, "directory", "export");
            Assert.True(back.Exit == 0, back.Output);
            Assert.Equal((await File.ReadAllTextAsync(exportFile)).Trim(), back.Output.Trim());
            Assert.Equal(65, (await RunAsync(pgConfig, "directory", "import", Path.Combine(from, "directory.db"))).Exit);
        }
        finally
        {
            System.IO.Directory.Delete(from, recursive: true);
            System.IO.Directory.Delete(to, recursive: true);
        }
    }

    [Fact]
    public async Task A_user_in_the_PostgreSQL_directory_authenticates_on_submission_and_unknown_recipients_are_refused()
    {
        var cs = await pg.CreateSchemaAsync();
        await using var server = await PostboteTestServer.StartAsync(o =>
            o.Directory = new DirectoryOptions { Provider = "Postgres", ConnectionString = cs, MigrateOnStart = true });
        Assert.IsType<PostgresMailDirectory>(server.Directory);
        await server.AddUserAsync("alice@test.local", "pw-123456");

        await using var tls = await TlsSmtpClient.ConnectImplicitAsync(server.SubmissionsPort);
        await tls.ReadAsync();
        await tls.CommandLinesAsync("EHLO client.example");
        Assert.StartsWith("535", await tls.CommandAsync("AUTH PLAIN " + Plain("alice@test.local", "wrong")));
        Assert.StartsWith("235", await tls.CommandAsync("AUTH PLAIN " + Plain("alice@test.local", "pw-123456")));
        Assert.StartsWith("250", await tls.CommandAsync("MAIL FROM:<alice@test.local>"));
        Assert.StartsWith("250", await tls.CommandAsync("RCPT TO:<alice@test.local>"));
        Assert.StartsWith("550", await tls.CommandAsync("RCPT TO:<nobody@test.local>"));
    }
}
