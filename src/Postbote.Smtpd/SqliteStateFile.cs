using Microsoft.Data.Sqlite;

namespace Postbote.Smtpd;

/// <summary>
/// A small SQLite file of the accept side's own state in the data directory (screening cache, greylisting): WAL with
/// synchronous=NORMAL (state that may lose its last seconds in a power cut, never its consistency), pooled
/// connections, one per call so sessions never share one, and a busy timeout for concurrent writers.
/// </summary>
internal sealed class SqliteStateFile
{
    private readonly string _connectionString;

    /// <summary>Opens (creating if needed) the file at <paramref name="path"/> and runs <paramref name="schema"/> (idempotent DDL).</summary>
    public SqliteStateFile(string path, string schema)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        using var c = Connect();
        Execute(c, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " + schema);
    }

    public SqliteConnection Connect()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout=2000;";
        cmd.ExecuteNonQuery();
        return c;
    }

    public static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    public static void Execute(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row, on a connection of its own; null when there is no row.</summary>
    public object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var c = Connect();
        using var cmd = Command(c, null, sql, parameters);
        return cmd.ExecuteScalar();
    }
}
