using System.Data.Common;
using Npgsql;

namespace Postbote.Directory;

/// <summary>
/// The directory in a PostgreSQL database shared by several nodes (Npgsql, pooled). Every node reads and writes the
/// same tables; a trigger on each table sends a NOTIFY on <see cref="ChangeChannel"/> at every commit that changes it.
/// The connection string may name several hosts with a Target Session Attributes (e.g.
/// <c>Host=db1,db2;Target Session Attributes=primary</c>) so a node follows a failover to the new primary. The schema
/// is created and migrated by <see cref="SqlMailDirectory.MigrateAsync"/> (<c>postbote directory migrate</c>, or on
/// open when asked): opening without migrating refuses a database whose schema is not the current one.
/// Needs PostgreSQL 14 or later.
/// </summary>
public sealed partial class PostgresMailDirectory : SqlMailDirectory, IAsyncDisposable
{
    /// <summary>The NOTIFY channel the tables' triggers signal; the payload names the table changed.</summary>
    public const string ChangeChannel = "postbote_directory";

    // Any constant: serialises `postbote directory migrate` run on several nodes at once.
    private const long MigrationLockKey = 0x706f7374626f7465; // "postbote"

    private static readonly SchemaMigration[] Schema =
    [
        new(1, "domains, users (SCRAM keys, CRAM-MD5 opt-in, flags, quota), aliases, dashboard administrators, change notification",
        [
            // COLLATE "C": byte order, as SQLite compares, whatever the database's locale (listings sort the same,
            // and the abuse@ range scan of HasRecipientsAsync holds).
            """CREATE TABLE IF NOT EXISTS domains (name text COLLATE "C" PRIMARY KEY)""",
            """
            CREATE TABLE IF NOT EXISTS users (
                address text COLLATE "C" PRIMARY KEY,
                domain text COLLATE "C" NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
                scram_sha256 text NOT NULL,
                scram_sha1 text,
                cram_md5_secret text,
                allow_send_as_anyone boolean NOT NULL DEFAULT false,
                quota_bytes bigint)
            """,
            "CREATE INDEX IF NOT EXISTS users_domain ON users(domain)",
            """
            CREATE TABLE IF NOT EXISTS aliases (
                id bigint GENERATED ALWAYS AS IDENTITY,
                source text COLLATE "C" NOT NULL,
                domain text COLLATE "C" NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
                target text COLLATE "C" NOT NULL,
                PRIMARY KEY (source, target))
            """,
            "CREATE INDEX IF NOT EXISTS aliases_domain ON aliases(domain)",
            // Dashboard administrators (IAdminAccounts): a table of their own, so no mail user can ever log in there.
            """
            CREATE TABLE IF NOT EXISTS admins (
                name text COLLATE "C" PRIMARY KEY,
                scram_sha256 text NOT NULL,
                created text NOT NULL,
                stamp text NOT NULL)
            """,
            $"""
            CREATE OR REPLACE FUNCTION postbote_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('{ChangeChannel}', TG_TABLE_NAME);
                RETURN NULL;
            END
            $$
            """,
            .. ChangeTriggers("domains", "users", "aliases", "admins"),
        ]),
    ];

    /// <summary>Statement-level triggers: one NOTIFY per changing statement, folded by PostgreSQL per transaction.</summary>
    private static IEnumerable<string> ChangeTriggers(params string[] tables) => tables.Select(t =>
        $"CREATE OR REPLACE TRIGGER {t}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t} " +
        "FOR EACH STATEMENT EXECUTE FUNCTION postbote_directory_changed()");

    private readonly NpgsqlDataSource _dataSource;

    private PostgresMailDirectory(NpgsqlDataSource dataSource, MailDirectoryOptions options) : base(options, aliasInsertionOrder: "id")
    {
        _dataSource = dataSource;
    }

    /// <inheritdoc/>
    public override string Provider => "Postgres";

    private protected override IReadOnlyList<SchemaMigration> Migrations => Schema;

    private protected override string SchemaVersionTableExistsSql => "SELECT to_regclass('schema_version') IS NOT NULL";

    /// <summary>
    /// Opens the directory in the database of <paramref name="connectionString"/> (Npgsql syntax). With
    /// <paramref name="migrate"/> the schema is first brought to the current version; without, a database whose schema
    /// is missing or older is refused with a message saying to run <c>postbote directory migrate</c>.
    /// </summary>
    public static async Task<PostgresMailDirectory> OpenAsync(string connectionString, MailDirectoryOptions? options = null,
        bool migrate = false, CancellationToken cancellationToken = default)
    {
        NpgsqlDataSource dataSource;
        try
        {
            dataSource = NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new DirectoryException("Directory:ConnectionString is not a valid PostgreSQL connection string: " + e.Message);
        }
        PostgresMailDirectory? directory = null;
        try
        {
            directory = new PostgresMailDirectory(dataSource, options ?? new MailDirectoryOptions());
            if (migrate) directory.AppliedOnOpen = await directory.MigrateAsync(cancellationToken).ConfigureAwait(false);
            else await directory.RequireCurrentSchemaAsync(Describe(connectionString), cancellationToken).ConfigureAwait(false);
            return directory;
        }
        catch (NpgsqlException e)
        {
            await DisposeQuietlyAsync(directory, dataSource).ConfigureAwait(false);
            throw new DirectoryException($"The PostgreSQL directory {Describe(connectionString)} (Directory:ConnectionString) cannot be used: {e.Message}");
        }
        catch
        {
            await DisposeQuietlyAsync(directory, dataSource).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task DisposeQuietlyAsync(PostgresMailDirectory? directory, NpgsqlDataSource dataSource)
    {
        if (directory is not null) await directory.DisposeAsync().ConfigureAwait(false);
        else await dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>host/database of a connection string for messages, never its password.</summary>
    internal static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{b.Host}{(b.Port != NpgsqlConnection.DefaultPort ? ":" + b.Port : "")}/{b.Database ?? b.Username}";
    }

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) =>
        await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);

    private protected override async Task LockForMigrationAsync(DbConnection conn, DbTransaction tx, CancellationToken ct) =>
        await ExecuteAsync(conn, tx, "SELECT pg_advisory_xact_lock(@k)", ct, ("@k", MigrationLockKey)).ConfigureAwait(false);

    /// <summary>Stops the change listener and closes the pooled connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public override void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
