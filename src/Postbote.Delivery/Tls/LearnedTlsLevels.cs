using Microsoft.Data.Sqlite;
using Postbote.Core.Delivery;

namespace Postbote.Delivery.Tls;

/// <summary>
/// Learned TLS levels (chasquid's idea, beyond Postfix): once a destination has delivered over TLS, a later session
/// that offers less (no STARTTLS, or an unverified certificate after a verified one) is deferred, not sent in
/// plaintext, until an admin clears it (`postbote tls forget DOMAIN`). Kept in SQLite (DataDirectory/tls-levels.db),
/// at most <c>maxEntries</c> domains (the least recently seen go first). The server holds all of it in memory:
/// a lookup is a dictionary probe, plus at most once a second a `PRAGMA data_version` to see another process's
/// change (the CLI's forget); the file is written only when a domain is learned or improves, or once a day per
/// domain to keep it from being pruned.
/// </summary>
public sealed class LearnedTlsLevels : IDisposable
{
    /// <summary>The file name in the data directory.</summary>
    public const string FileName = "tls-levels.db";

    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TouchInterval = TimeSpan.FromDays(1);

    private readonly SqliteConnection _connection;
    private readonly int _maxEntries;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private Dictionary<string, LearnedTlsEntry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private long _dataVersion;
    private long _nextRecheck;

    private LearnedTlsLevels(SqliteConnection connection, int maxEntries, TimeProvider time)
    {
        _connection = connection;
        _maxEntries = maxEntries;
        _time = time;
    }

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    public static LearnedTlsLevels Open(string path, int maxEntries = 100_000, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        connection.Open();
        try
        {
            Execute(connection, "PRAGMA busy_timeout=2000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " +
                "CREATE TABLE IF NOT EXISTS tls_levels (domain TEXT PRIMARY KEY, level INTEGER NOT NULL, since INTEGER NOT NULL, last_seen INTEGER NOT NULL); " +
                "CREATE INDEX IF NOT EXISTS tls_levels_last_seen ON tls_levels(last_seen);");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        var store = new LearnedTlsLevels(connection, maxEntries, time ?? TimeProvider.System);
        lock (store._lock) store.Reload();
        return store;
    }

    /// <summary>The learned level of <paramref name="domain"/>, or null.</summary>
    public LearnedTlsEntry? Find(string domain)
    {
        lock (_lock)
        {
            RecheckIfDue();
            return _entries.GetValueOrDefault(domain.TrimEnd('.'));
        }
    }

    /// <summary>Every learned destination, by domain.</summary>
    public IReadOnlyList<LearnedTlsEntry> List()
    {
        lock (_lock)
        {
            Reload();
            return _entries.Values.OrderBy(e => e.Domain, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Records that a session to <paramref name="domain"/> delivered with <paramref name="security"/>; returns the level when it is new or better.</summary>
    public LearnedTlsLevel? Learn(string domain, TransportSecurity security)
    {
        if (!security.IsTls) return null;
        var level = security.IsAuthenticated ? LearnedTlsLevel.Verified : LearnedTlsLevel.Encrypted;
        var key = domain.TrimEnd('.').ToLowerInvariant();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            RecheckIfDue();
            if (_entries.TryGetValue(key, out var known) && known.Level >= level)
            {
                if (now - known.LastSeen < TouchInterval) return null;
                _entries[key] = known with { LastSeen = now };
                Write("UPDATE tls_levels SET last_seen = $now WHERE domain = $d", key, 0, now);
                return null;
            }
            _entries[key] = new LearnedTlsEntry(key, level, now, now);
            Write("INSERT INTO tls_levels (domain, level, since, last_seen) VALUES ($d, $l, $now, $now) " +
                "ON CONFLICT(domain) DO UPDATE SET level = excluded.level, since = excluded.since, last_seen = excluded.last_seen", key, (int)level, now);
            if (_entries.Count > _maxEntries) Prune();
            return level;
        }
    }

    /// <summary>Forgets <paramref name="domain"/>; false when it was not learned.</summary>
    public bool Forget(string domain)
    {
        var key = domain.Trim().TrimEnd('.').ToLowerInvariant();
        lock (_lock)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "DELETE FROM tls_levels WHERE domain = $d";
            cmd.Parameters.AddWithValue("$d", key);
            var removed = cmd.ExecuteNonQuery() > 0;
            _entries.Remove(key);
            return removed;
        }
    }

    private void Write(string sql, string domain, int level, DateTimeOffset now)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$d", domain);
        cmd.Parameters.AddWithValue("$l", level);
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeSeconds());
        cmd.ExecuteNonQuery();
    }

    private void Prune()
    {
        var excess = _entries.Count - _maxEntries;
        foreach (var e in _entries.Values.OrderBy(e => e.LastSeen).Take(excess).ToList())
            _entries.Remove(e.Domain);
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "DELETE FROM tls_levels WHERE domain IN (SELECT domain FROM tls_levels ORDER BY last_seen LIMIT $n)";
        cmd.Parameters.AddWithValue("$n", excess);
        cmd.ExecuteNonQuery();
    }

    private void RecheckIfDue()
    {
        var now = _time.GetTimestamp();
        if (now < _nextRecheck) return;
        _nextRecheck = now + (long)(RecheckInterval.TotalSeconds * _time.TimestampFrequency);
        if (DataVersion() != _dataVersion) Reload();
    }

    private long DataVersion()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "PRAGMA data_version";
        return (long)cmd.ExecuteScalar()!;
    }

    private void Reload()
    {
        _dataVersion = DataVersion();
        var entries = new Dictionary<string, LearnedTlsEntry>(StringComparer.OrdinalIgnoreCase);
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT domain, level, since, last_seen FROM tls_levels";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var level = (LearnedTlsLevel)reader.GetInt32(1);
            if (level is not (LearnedTlsLevel.Encrypted or LearnedTlsLevel.Verified)) continue;
            entries[reader.GetString(0)] = new LearnedTlsEntry(reader.GetString(0), level,
                DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(3)));
        }
        _entries = entries;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
