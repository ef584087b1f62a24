namespace Postbote.Configuration;

/// <summary>
/// Where the directory (domains, users, credentials, aliases) lives: the embedded SQLite file under the data directory
/// (one node), or a PostgreSQL database several nodes share (docs/configuration.md, "Directory").
/// </summary>
public sealed class DirectoryOptions
{
    /// <summary>Sqlite (default: DataDirectory/directory.db) or Postgres (needs <see cref="ConnectionString"/>).</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>
    /// For Postgres: an Npgsql connection string, e.g. <c>Host=db1,db2;Database=postbote;Username=postbote;
    /// Passfile=/etc/postbote/pgpass;Target Session Attributes=primary</c> (several hosts with Target Session
    /// Attributes = primary follow a failover to the new primary). Keep passwords out of the file (Passfile, or
    /// POSTBOTE_Directory__ConnectionString).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// For Postgres: create or migrate the schema when the server (or a CLI command) opens the directory. Off by default,
    /// as with any shared database an admin upgrades deliberately: run <c>postbote directory migrate</c> once, from one
    /// node (concurrent runs are serialised). SQLite always migrates its own file on open.
    /// </summary>
    public bool MigrateOnStart { get; set; }

    public const string SqliteProvider = "Sqlite";
    public const string PostgresProvider = "Postgres";

    public bool IsPostgres => string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);

    public void Validate(List<string> problems)
    {
        if (!string.Equals(Provider, SqliteProvider, StringComparison.OrdinalIgnoreCase) && !IsPostgres)
            problems.Add($"Directory:Provider: '{Provider}' is not Sqlite or Postgres");
        else if (IsPostgres && string.IsNullOrWhiteSpace(ConnectionString))
            problems.Add("Directory:ConnectionString is required with Directory:Provider = Postgres");
        else if (IsPostgres)
        {
            try { _ = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString); }
            catch (ArgumentException e) { problems.Add("Directory:ConnectionString: " + e.Message); }
        }
        else if (!string.IsNullOrWhiteSpace(ConnectionString))
            problems.Add("Directory:ConnectionString is only used with Directory:Provider = Postgres (the SQLite file is DataDirectory/directory.db)");
    }
}
