using Postbote.Core.Sasl;
using Postbote.TestSupport.Peers;

namespace Postbote.Directory.Tests.Postgres;

/// <summary>
/// Issue 16: `directory export|import` moves a directory between providers with nothing lost: SQLite → PostgreSQL →
/// SQLite gives the same export, byte for byte, and the users log in with their old passwords on the new store.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ExportImportTests(PostgresTestCluster pg) : IAsyncLifetime
{
    private readonly List<DirectoryStore> _stores = new();

    private async Task<SqlMailDirectory> OpenAsync(DirectoryProvider provider)
    {
        var store = await provider.CreateStoreAsync();
        _stores.Add(store);
        return await store.OpenAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _stores) await s.DisposeAsync();
    }

    private static async Task FillAsync(SqlMailDirectory d)
    {
        await d.AddDomainAsync("example.org");
        await d.AddDomainAsync("bücher.example");
        await d.AddUserAsync("alice@example.org", "Alice-pw-1", new UserSettings(QuotaBytes: 5_000_000));
        await d.AddUserAsync("tim@example.org", "Tim-pw-12345678", new UserSettings(AllowCramMd5: true, AllowSendAsAnyone: true));
        await d.AddUserAsync("anna@bücher.example", "Anna-pw-1");
        await d.AddUserAsync("abuse@bücher.example", "Abuse-pw-1"); // replaces the default abuse@ alias
        // Targets in an order that is not the sorted one: resolution follows the order they were added.
        await d.AddAliasAsync("team@example.org", ["zed@far.example", "alice@example.org", "mid@far.example"]);
        await d.AddAliasAsync("@example.org", ["alice@example.org"]);
        await d.AddAdminAsync("root", "Admin-pw-1");
    }

    [Fact]
    public async Task Sqlite_to_Postgres_to_Sqlite_gives_the_same_export_and_the_same_logins()
    {
        var sqlite = await OpenAsync(new SqliteDirectoryProvider());
        await FillAsync(sqlite);
        var first = await sqlite.ExportAsync();
        string json = first.ToJson();

        var postgres = await OpenAsync(new PostgresDirectoryProvider(pg));
        var result = await postgres.ImportAsync(DirectoryExport.FromJson(json));
        Assert.Equal(new DirectoryImportResult(Domains: 2, Users: 4, AliasTargets: 5, Admins: 1), result);
        Assert.Equal(json, (await postgres.ExportAsync()).ToJson());

        var back = await OpenAsync(new SqliteDirectoryProvider());
        await back.ImportAsync(DirectoryExport.FromJson((await postgres.ExportAsync()).ToJson()));
        Assert.Equal(json, (await back.ExportAsync()).ToJson());

        foreach (var d in new[] { postgres, back })
        {
            Assert.True(ScramCredentials.Verify("Alice-pw-1", (await d.FindAsync("alice@example.org", default))!.ScramSha256!));
            Assert.Equal("Tim-pw-12345678", (await d.FindAsync("tim@example.org", default))!.CramMd5Secret);
            Assert.Equal(new MailUser("tim@example.org", true, true, null), await d.FindUserAsync("tim@example.org"));
            Assert.Equal(5_000_000, (await d.FindUserAsync("alice@example.org"))!.QuotaBytes);
            Assert.NotNull(await d.VerifyAdminAsync("root", "Admin-pw-1"));
            Assert.Equal(["zed@far.example", "alice@example.org", "mid@far.example"],
                (await d.ResolveRecipientAsync("team@example.org")).Mailboxes.Select(m => m.Address));
            Assert.Equal("alice@example.org", (await d.ResolveRecipientAsync("anyone@example.org")).Mailboxes.Single().Address);
            Assert.True(await d.IsLocalDomainAsync("bücher.example"));
        }
    }

    [Fact]
    public async Task Importing_twice_changes_nothing_and_replaces_a_changed_password()
    {
        var source = await OpenAsync(new SqliteDirectoryProvider());
        await FillAsync(source);
        var export = await source.ExportAsync();
        var target = await OpenAsync(new PostgresDirectoryProvider(pg));
        await target.AddDomainAsync("example.org");
        await target.AddUserAsync("alice@example.org", "Stale-pw-1");
        await target.ImportAsync(export);
        var once = (await target.ExportAsync()).ToJson();
        var again = await target.ImportAsync(export);
        Assert.Equal(0, again.Domains + again.AliasTargets);
        Assert.Equal(once, (await target.ExportAsync()).ToJson());
        Assert.Equal(export.ToJson(), once);
        var creds = (await target.FindAsync("alice@example.org", default))!;
        Assert.True(ScramCredentials.Verify("Alice-pw-1", creds.ScramSha256!));
        Assert.False(ScramCredentials.Verify("Stale-pw-1", creds.ScramSha256!));
    }

    [Theory]
    [InlineData("""{"format":"something-else","version":1}""", "not a directory export")]
    [InlineData("""{"format":"postbote-directory","version":9}""", "version 9 is not supported")]
    [InlineData("""{"format":"postbote-directory","version":1,"domains":["example.org"],"users":[{"address":"Bob@example.org","scram_sha256":"x"}]}""", "user 'Bob@example.org'")]
    [InlineData("""{"format":"postbote-directory","version":1,"domains":[],"users":[{"address":"bob@example.org","scram_sha256":"SHA-1:4096:AAAA:AAAA:AAAA"}]}""", "user 'bob@example.org': scram_sha256")]
    [InlineData("""{"format":"postbote-directory","version":1,"aliases":[{"source":"a@nowhere.example","targets":["b@far.example"]}]}""", "the domain 'nowhere.example' is neither in the export nor local here")]
    [InlineData("{", "not a directory export")]
    public async Task A_bad_export_is_refused_whole_naming_the_entry(string json, string message)
    {
        var target = await OpenAsync(new PostgresDirectoryProvider(pg));
        var before = (await target.ExportAsync()).ToJson();
        var e = await Assert.ThrowsAsync<DirectoryException>(async () => await target.ImportAsync(DirectoryExport.FromJson(json)));
        Assert.Contains(message, e.Message);
        Assert.Equal(before, (await target.ExportAsync()).ToJson());
    }
}
