using System.Data.Common;
using System.Globalization;
using Postbote.Core.Sasl;

namespace Postbote.Directory;

/// <summary>
/// The directory over an SQL database, one implementation of every operation for both engines
/// (<see cref="SqliteMailDirectory"/>, <see cref="PostgresMailDirectory"/>): the statements are the SQL both speak
/// (named <c>@</c> parameters, <c>INSERT … ON CONFLICT DO NOTHING</c>, byte-order text comparison), and an engine
/// supplies its connections, its schema migrations and the column that orders alias targets as they were added.
/// Safe for concurrent use: each operation takes a pooled connection. Passwords are never stored: only SCRAM-SHA-256
/// and SCRAM-SHA-1 keys (PBKDF2, <see cref="MailDirectoryOptions.PasswordIterations"/>), plus a plaintext-equivalent
/// CRAM-MD5 secret for users an admin opted in (<see cref="UserSettings.AllowCramMd5"/>).
/// </summary>
public abstract partial class SqlMailDirectory : IMailDirectory, IDisposable
{
    private readonly MailDirectoryOptions _options;
    private readonly string _aliasTargetsSql;
    private readonly string _aliasInsertionOrder;

    private protected SqlMailDirectory(MailDirectoryOptions options, string aliasInsertionOrder)
    {
        ValidateOptions(options);
        _options = options;
        _aliasInsertionOrder = aliasInsertionOrder;
        _aliasTargetsSql = $"SELECT target FROM aliases WHERE source = @s ORDER BY {aliasInsertionOrder} LIMIT @n";
    }

    /// <summary>The options in use.</summary>
    public MailDirectoryOptions Options => _options;

    /// <summary>Closes the pooled connections (and, for PostgreSQL, the change listener).</summary>
    public abstract void Dispose();

    /// <summary>The engine's name as in Directory:Provider ("Sqlite", "Postgres").</summary>
    public abstract string Provider { get; }

    /// <summary>The newest schema version this program knows (the last of its migrations).</summary>
    public int LatestSchemaVersion => Migrations[^1].Version;

    /// <summary>The schema versions applied when this instance was opened (empty when the schema was current).</summary>
    public IReadOnlyList<int> AppliedOnOpen { get; private protected set; } = [];

    /// <summary>The engine's schema, in order: each step applied once, in one transaction with its version row.</summary>
    private protected abstract IReadOnlyList<SchemaMigration> Migrations { get; }

    private protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken ct);

    /// <summary>Serialises migrations of several processes (PostgreSQL: an advisory lock held to the commit).</summary>
    private protected virtual Task LockForMigrationAsync(DbConnection conn, DbTransaction tx, CancellationToken ct) => Task.CompletedTask;

    private static void ValidateOptions(MailDirectoryOptions options)
    {
        if (options.PasswordIterations < ScramCredentials.MinimumIterations)
            throw new ArgumentOutOfRangeException(nameof(options), $"PasswordIterations must be at least {ScramCredentials.MinimumIterations}.");
        if (options.MaxAliasDepth < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAliasDepth must be positive.");
        if (options.MaxAliasExpansion < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAliasExpansion must be positive.");
        if (options.MaxAliasLookups < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAliasLookups must be positive.");
    }

    /// <summary>
    /// Brings the schema to <see cref="LatestSchemaVersion"/>: applies the migrations newer than the stored version, in
    /// one transaction, and returns the versions applied (none when already current: running it again is harmless).
    /// Refuses a database whose schema is newer than this program.
    /// </summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockForMigrationAsync(conn, tx, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(conn, tx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", cancellationToken).ConfigureAwait(false);
        int current = await StoredVersionAsync(conn, tx, cancellationToken).ConfigureAwait(false);
        RefuseNewer(current);
        var applied = new List<int>();
        foreach (var migration in Migrations)
        {
            if (migration.Version <= current) continue;
            foreach (var sql in migration.Statements) await ExecuteAsync(conn, tx, sql, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(conn, tx, "INSERT INTO schema_version(version) VALUES (@v)", cancellationToken, ("@v", migration.Version)).ConfigureAwait(false);
            applied.Add(migration.Version);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    /// <summary>The schema version stored in the database (0 when it has none yet).</summary>
    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var exists = await ScalarAsync(conn, null, SchemaVersionTableExistsSql, cancellationToken).ConfigureAwait(false);
        if (exists is null or DBNull || !Convert.ToBoolean(exists, CultureInfo.InvariantCulture)) return 0;
        return await StoredVersionAsync(conn, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A query answering whether the schema_version table exists (true/1 or false/0).</summary>
    private protected abstract string SchemaVersionTableExistsSql { get; }

    /// <summary>Throws unless the stored schema is exactly the one this program uses (for engines that do not migrate on open).</summary>
    private protected async Task RequireCurrentSchemaAsync(string where, CancellationToken ct)
    {
        int version = await SchemaVersionAsync(ct).ConfigureAwait(false);
        RefuseNewer(version);
        if (version < LatestSchemaVersion)
            throw new DirectoryException(
                $"The directory {where} has schema version {version}, this program needs {LatestSchemaVersion}: run 'postbote directory migrate' (or set Directory:MigrateOnStart).");
    }

    private void RefuseNewer(int version)
    {
        if (version > LatestSchemaVersion)
            throw new DirectoryException($"The directory has schema version {version}, newer than this program ({LatestSchemaVersion}).");
    }

    private static async Task<int> StoredVersionAsync(DbConnection conn, DbTransaction? tx, CancellationToken ct)
    {
        var version = await ScalarAsync(conn, tx, "SELECT MAX(version) FROM schema_version", ct).ConfigureAwait(false);
        return version is null or DBNull ? 0 : Convert.ToInt32(version, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public async ValueTask<StoredCredentials?> FindAsync(string userName, CancellationToken cancellationToken)
    {
        if (!DirectoryAddress.TryNormalize(userName, out var address)) return null;
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(conn, null,
            "SELECT address, scram_sha256, scram_sha1, cram_md5_secret FROM users WHERE address = @a", ("@a", address));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new StoredCredentials(
            reader.GetString(0),
            ScramKeys.Parse(reader.GetString(1)),
            ScramKeys.Parse(reader.IsDBNull(2) ? null : reader.GetString(2)),
            reader.IsDBNull(3) ? null : reader.GetString(3));
    }

    private protected static DbCommand Command(DbConnection conn, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    private protected static async Task<int> ExecuteAsync(DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private protected static async Task<object?> ScalarAsync(DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
    }

    private static async Task<List<string>> StringsAsync(DbConnection conn, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, null, sql, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<string>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(reader.GetString(0));
        return list;
    }

    private static async Task<bool> DomainExistsAsync(DbConnection conn, DbTransaction? tx, string domain, CancellationToken ct) =>
        await ScalarAsync(conn, tx, "SELECT 1 FROM domains WHERE name = @d", ct, ("@d", domain)).ConfigureAwait(false) is not null;

    private static async Task RequireLocalDomainAsync(DbConnection conn, DbTransaction? tx, string domain, CancellationToken ct)
    {
        if (!await DomainExistsAsync(conn, tx, domain, ct).ConfigureAwait(false))
            throw new DirectoryException($"'{domain}' is not a local domain.");
    }
}
