using Postbote.Directory;

namespace Postbote.Directory.Tests;

/// <summary>
/// A fresh directory of one provider (a new SQLite file, or a new database in the shared test PostgreSQL cluster) with
/// the domains example.org and example.net, removed afterwards. Every test class derives from this through an abstract
/// class that holds its tests, closed once per provider in <c>Providers.cs</c>: the whole suite runs against both.
/// </summary>
public abstract class DirectoryTestBase(DirectoryProvider provider) : IAsyncLifetime
{
    private readonly List<DirectoryStore> _stores = new();

    protected DirectoryProvider Provider { get; } = provider;
    /// <summary>The store behind <see cref="Dir"/>.</summary>
    protected DirectoryStore Store { get; private set; } = null!;
    protected SqlMailDirectory Dir { get; private set; } = null!;

    protected virtual MailDirectoryOptions Options => new();

    public virtual async Task InitializeAsync()
    {
        Store = await NewStoreAsync();
        Dir = await Store.OpenAsync(Options);
        await Dir.AddDomainAsync("example.org");
        await Dir.AddDomainAsync("example.net");
    }

    /// <summary>Another empty store of the same provider, removed with the test.</summary>
    protected async Task<DirectoryStore> NewStoreAsync()
    {
        var store = await Provider.CreateStoreAsync();
        _stores.Add(store);
        return store;
    }

    /// <summary>A directory with other options on a new empty store.</summary>
    protected async Task<SqlMailDirectory> OpenFreshAsync(MailDirectoryOptions options) => await (await NewStoreAsync()).OpenAsync(options);

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
    }

    protected async Task<RecipientResolution> Resolve(string address) => await Dir.ResolveRecipientAsync(address);

    protected static string[] Addresses(RecipientResolution r) => r.Mailboxes.Select(m => m.Address).ToArray();
}
