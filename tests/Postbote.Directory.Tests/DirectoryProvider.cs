using Npgsql;
using Postbote.TestSupport.Peers;

namespace Postbote.Directory.Tests;

/// <summary>Makes empty directory stores of one engine for the tests.</summary>
public abstract class DirectoryProvider
{
    public abstract Task<DirectoryStore> CreateStoreAsync();
}

/// <summary>One backing store (a file, a database); every <see cref="OpenAsync"/> is another instance on it, as another
/// process or node would open it. Disposing closes those instances and removes the store.</summary>
public abstract class DirectoryStore : IAsyncDisposable
{
    private readonly List<SqlMailDirectory> _opened = new();

    public async Task<SqlMailDirectory> OpenAsync(MailDirectoryOptions? options = null)
    {
        var directory = await OpenCoreAsync(options ?? new MailDirectoryOptions());
        _opened.Add(directory);
        return directory;
    }

    protected abstract Task<SqlMailDirectory> OpenCoreAsync(MailDirectoryOptions options);

    /// <summary>Everything the store holds on disk or in its tables, as text: for "never stored in plaintext" checks.</summary>
    public abstract Task<string> RawContentsAsync();

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var directory in _opened)
            if (directory is IAsyncDisposable a) await a.DisposeAsync();
            else (directory as IDisposable)?.Dispose();
    }
}

public sealed class SqliteDirectoryProvider : DirectoryProvider
{
    public override Task<DirectoryStore> CreateStoreAsync() => Task.FromResult<DirectoryStore>(new SqliteDirectoryStore());
}

/// <summary>A directory file in its own temporary folder.</summary>
public sealed class SqliteDirectoryStore : DirectoryStore
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "postbote-dir-" + Guid.NewGuid().ToString("N"));
    public string DatabasePath => Path.Combine(Folder, "directory.db");

    protected override async Task<SqlMailDirectory> OpenCoreAsync(MailDirectoryOptions options) =>
        await SqliteMailDirectory.OpenAsync(DatabasePath, options);

    public override async Task<string> RawContentsAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var text = new System.Text.StringBuilder();
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal" }.Where(File.Exists))
            text.Append(System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
        return text.ToString();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try { System.IO.Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Stores in the test cluster shared by the "postgres" collection: a new schema per store (the connection string's
/// Search Path), which is created and dropped in milliseconds where a database per test costs seconds.
/// </summary>
public sealed class PostgresDirectoryProvider(PostgresTestCluster cluster) : DirectoryProvider
{
    public PostgresTestCluster Cluster { get; } = cluster;

    public override async Task<DirectoryStore> CreateStoreAsync()
    {
        string schema = "s" + Guid.NewGuid().ToString("N");
        await PostgresDirectoryStore.ExecuteAsync(Cluster.ConnectionString(), $"CREATE SCHEMA {schema}");
        return new PostgresDirectoryStore(Cluster, schema);
    }
}

public sealed class PostgresDirectoryStore(PostgresTestCluster cluster, string schema) : DirectoryStore
{
    public PostgresTestCluster Cluster { get; } = cluster;
    public string Schema { get; } = schema;
    public string ConnectionString => Cluster.ConnectionString() + ";Search Path=" + Schema;

    protected override async Task<SqlMailDirectory> OpenCoreAsync(MailDirectoryOptions options) =>
        await PostgresMailDirectory.OpenAsync(ConnectionString, options, migrate: true);

    public override async Task<string> RawContentsAsync()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT concat_ws(' ', (SELECT string_agg(u::text, ' ') FROM users u), (SELECT string_agg(a::text, ' ') FROM aliases a), " +
            "(SELECT string_agg(m::text, ' ') FROM admins m))", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await ExecuteAsync(Cluster.ConnectionString(), $"DROP SCHEMA IF EXISTS {Schema} CASCADE");
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresTestCluster>
{
    public const string Name = "postgres";
}
