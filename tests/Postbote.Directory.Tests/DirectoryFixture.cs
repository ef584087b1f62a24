using Postbote.Directory;

namespace Postbote.Directory.Tests;

/// <summary>A fresh SQLite directory file in its own temporary folder, deleted afterwards.</summary>
public abstract class DirectoryTestBase : IAsyncLifetime
{
    protected string Folder { get; } = Path.Combine(Path.GetTempPath(), "postbote-dir-" + Guid.NewGuid().ToString("N"));
    protected string DatabasePath => Path.Combine(Folder, "directory.db");
    protected SqliteMailDirectory Dir { get; private set; } = null!;

    protected virtual MailDirectoryOptions Options => new();

    public virtual async Task InitializeAsync()
    {
        Dir = await SqliteMailDirectory.OpenAsync(DatabasePath, Options);
        await Dir.AddDomainAsync("example.org");
        await Dir.AddDomainAsync("example.net");
    }

    public Task DisposeAsync()
    {
        Dir.Dispose();
        try { System.IO.Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    protected async Task<RecipientResolution> Resolve(string address) => await Dir.ResolveRecipientAsync(address);

    protected static string[] Addresses(RecipientResolution r) => r.Mailboxes.Select(m => m.Address).ToArray();
}
