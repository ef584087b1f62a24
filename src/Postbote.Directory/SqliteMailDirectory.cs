using Microsoft.Data.Sqlite;
using Postbote.Core.Sasl;

namespace Postbote.Directory;

/// <summary>
/// The directory in an embedded SQLite file (WAL mode), created with its schema on open. Safe for concurrent use:
/// each operation takes a pooled connection. Passwords are never stored: only SCRAM-SHA-256 and SCRAM-SHA-1 keys
/// (PBKDF2, <see cref="MailDirectoryOptions.PasswordIterations"/>), plus a plaintext-equivalent CRAM-MD5 secret for
/// users an admin opted in (<see cref="UserSettings.AllowCramMd5"/>).
/// </summary>
public sealed partial class SqliteMailDirectory : IMailDirectory, IDisposable
{
    private const int SchemaVersion = 1;

    private static readonly string[] Schema =
    [
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
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
        // Dashboard administrators (IAdminAccounts): a table of their own, so no mail user can ever log in there.
        """
        CREATE TABLE IF NOT EXISTS admins (
            name TEXT PRIMARY KEY NOT NULL,
            scram_sha256 TEXT NOT NULL,
            created TEXT NOT NULL,
            stamp TEXT NOT NULL)
        """,
    ];

    private readonly string _connectionString;
    private readonly MailDirectoryOptions _options;

    private SqliteMailDirectory(string connectionString, MailDirectoryOptions options)
    {
        _connectionString = connectionString;
        _options = options;
    }

    /// <summary>The options in use.</summary>
    public MailDirectoryOptions Options => _options;

    /// <summary>Opens (creating if needed) the directory database at <paramref name="path"/>.</summary>
    public static async Task<SqliteMailDirectory> OpenAsync(string path, MailDirectoryOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MailDirectoryOptions();
        if (options.PasswordIterations < ScramCredentials.MinimumIterations)
            throw new ArgumentOutOfRangeException(nameof(options), $"PasswordIterations must be at least {ScramCredentials.MinimumIterations}.");
        if (options.MaxAliasDepth < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAliasDepth must be positive.");
        if (options.MaxAliasExpansion < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAliasExpansion must be positive.");
        if (options.MaxAliasLookups < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAliasLookups must be positive.");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) System.IO.Directory.CreateDirectory(dir);
        CreatePrivateFile(path);

        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        var directory = new SqliteMailDirectory(cs, options);
        await using var conn = await directory.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(conn, null, "PRAGMA journal_mode=WAL", cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var sql in Schema) await ExecuteAsync(conn, tx, sql, cancellationToken).ConfigureAwait(false);
        var version = await ScalarAsync(conn, tx, "SELECT MAX(version) FROM schema_version", cancellationToken).ConfigureAwait(false);
        if (version is null or DBNull)
            await ExecuteAsync(conn, tx, $"INSERT INTO schema_version(version) VALUES ({SchemaVersion})", cancellationToken).ConfigureAwait(false);
        else if (Convert.ToInt32(version, System.Globalization.CultureInfo.InvariantCulture) > SchemaVersion)
            throw new DirectoryException($"The directory '{path}' has schema version {version}, newer than this program ({SchemaVersion}).");
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
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
    public void Dispose()
    {
        using var conn = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(conn);
    }

    /// <inheritdoc/>
    public async ValueTask<StoredCredentials?> FindAsync(string userName, CancellationToken cancellationToken)
    {
        if (!DirectoryAddress.TryNormalize(userName, out var address)) return null;
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(conn, null,
            "SELECT address, scram_sha256, scram_sha1, cram_md5_secret FROM users WHERE address = $a", ("$a", address));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new StoredCredentials(
            reader.GetString(0),
            ScramKeys.Parse(reader.GetString(1)),
            ScramKeys.Parse(reader.IsDBNull(2) ? null : reader.GetString(2)),
            reader.IsDBNull(3) ? null : reader.GetString(3));
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken ct)
    {
        var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct).ConfigureAwait(false);
        return conn;
    }

    private static SqliteCommand Command(SqliteConnection conn, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection conn, SqliteTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection conn, SqliteTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
    }

    private static async Task<List<string>> StringsAsync(SqliteConnection conn, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, null, sql, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<string>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(reader.GetString(0));
        return list;
    }

    private static async Task<bool> DomainExistsAsync(SqliteConnection conn, SqliteTransaction? tx, string domain, CancellationToken ct) =>
        await ScalarAsync(conn, tx, "SELECT 1 FROM domains WHERE name = $d", ct, ("$d", domain)).ConfigureAwait(false) is not null;

    private async Task RequireLocalDomainAsync(SqliteConnection conn, SqliteTransaction? tx, string domain, CancellationToken ct)
    {
        if (!await DomainExistsAsync(conn, tx, domain, ct).ConfigureAwait(false))
            throw new DirectoryException($"'{domain}' is not a local domain.");
    }
}
