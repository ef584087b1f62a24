using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Postbote.Directory;

/// <summary>
/// The directory in an embedded SQLite file (WAL mode, mode 0600), created and migrated to the current schema on open:
/// the single-node default.
/// </summary>
public sealed class SqliteMailDirectory : SqlMailDirectory
{
    private static readonly SchemaMigration[] Schema =
    [
        new(1, "domains, users (SCRAM keys, CRAM-MD5 opt-in, flags, quota), aliases",
        [
            "CREATE TABLE IF NOT EXISTS domains (name TEXT PRIMARY KEY NOT NULL)",
            """
            CREATE TABLE IF NOT EXISTS users (
                address TEXT PRIMARY KEY NOT NULL,
                domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
                scram_sha256 TEXT NOT NULL,
                scram_sha1 TEXT,
                cram_md5_secret TEXT,
                allow_send_as_anyone INTEGER NOT NULL DEFAULT 0,
                quota_bytes INTEGER)
            """,
            "CREATE INDEX IF NOT EXISTS users_domain ON users(domain)",
            """
            CREATE TABLE IF NOT EXISTS aliases (
                source TEXT NOT NULL,
                domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
                target TEXT NOT NULL,
                PRIMARY KEY (source, target))
            """,
            "CREATE INDEX IF NOT EXISTS aliases_domain ON aliases(domain)",
        ]),
        // IF NOT EXISTS: files made between the admins' arrival and versioned migrations have the table at version 1.
        new(2, "dashboard administrators (IAdminAccounts), a table of their own so no mail user can ever log in there",
        [
            """
            CREATE TABLE IF NOT EXISTS admins (
                name TEXT PRIMARY KEY NOT NULL,
                scram_sha256 TEXT NOT NULL,
                created TEXT NOT NULL,
                stamp TEXT NOT NULL)
            """,
        ]),
    ];

    private readonly string _connectionString;

    private SqliteMailDirectory(string connectionString, MailDirectoryOptions options) : base(options, aliasInsertionOrder: "rowid")
    {
        _connectionString = connectionString;
    }

    /// <inheritdoc/>
    public override string Provider => "Sqlite";

    private protected override IReadOnlyList<SchemaMigration> Migrations => Schema;

    private protected override string SchemaVersionTableExistsSql =>
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')";

    /// <summary>Opens (creating if needed, and migrating to the current schema) the directory database at <paramref name="path"/>.</summary>
    public static async Task<SqliteMailDirectory> OpenAsync(string path, MailDirectoryOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MailDirectoryOptions();
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        var directory = new SqliteMailDirectory(cs, options);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) System.IO.Directory.CreateDirectory(dir);
        CreatePrivateFile(path);
        await using (var conn = await directory.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await ExecuteAsync(conn, null, "PRAGMA journal_mode=WAL", cancellationToken).ConfigureAwait(false);
        directory.AppliedOnOpen = await directory.MigrateAsync(cancellationToken).ConfigureAwait(false);
        return directory;
    }

    /// <summary>
    /// Creates the database file 0600 (it holds password keys and CRAM-MD5 secrets) before SQLite opens it, whatever
    /// the umask; SQLite gives its -wal and -shm files the database file's mode. An existing file is left as it is.
    /// </summary>
    private static void CreatePrivateFile(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path)) return;
        try
        {
            using var _ = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created meanwhile by another process opening the same directory: SQLite opens that one.
        }
    }

    /// <summary>Closes the pooled connections to the file.</summary>
    public override void Dispose()
    {
        using var conn = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(conn);
    }

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct).ConfigureAwait(false);
        return conn;
    }
}
