using System.Net;
using Microsoft.Data.Sqlite;

namespace Postbote.Smtpd.Screening;

/// <summary>
/// Clients that passed screening, with the time their pass expires (Postfix's postscreen_cache_map), in a small
/// SQLite file of their own in the data directory. Bounded: expired entries are pruned, and beyond the maximum the
/// entries closest to expiry go first. One connection per call (pooled), so sessions never share one.
/// </summary>
public sealed class ScreeningCache
{
    private readonly SqliteStateFile _file;
    private readonly int _maxEntries;
    private readonly TimeProvider _time;
    private int _insertsSincePrune;

    private ScreeningCache(SqliteStateFile file, int maxEntries, TimeProvider time)
    {
        _file = file;
        _maxEntries = maxEntries;
        _time = time;
    }

    /// <summary>Opens (creating if needed) the cache file and drops what has expired.</summary>
    public static ScreeningCache Open(string path, int maxEntries, TimeProvider time)
    {
        var file = new SqliteStateFile(path,
            "CREATE TABLE IF NOT EXISTS passes (client TEXT PRIMARY KEY, expires INTEGER NOT NULL); " +
            "CREATE INDEX IF NOT EXISTS passes_expires ON passes(expires);");
        var cache = new ScreeningCache(file, maxEntries, time);
        using var c = cache.Connect();
        cache.Prune(c);
        return cache;
    }

    private SqliteConnection Connect() => _file.Connect();

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public async Task<bool> HasPassedAsync(IPAddress client, CancellationToken cancellationToken)
    {
        await using var c = Connect();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM passes WHERE client = $c AND expires > $now";
        cmd.Parameters.AddWithValue("$c", client.ToString());
        cmd.Parameters.AddWithValue("$now", Now);
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task RecordPassAsync(IPAddress client, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var c = Connect();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "INSERT INTO passes (client, expires) VALUES ($c, $e) ON CONFLICT(client) DO UPDATE SET expires = excluded.expires";
            cmd.Parameters.AddWithValue("$c", client.ToString());
            cmd.Parameters.AddWithValue("$e", Now + (long)ttl.TotalSeconds);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        // Every 1,000 passes (or as often as the bound is small): the cost of pruning spread thin.
        if (Interlocked.Increment(ref _insertsSincePrune) >= Math.Min(1000, Math.Max(1, _maxEntries / 10)))
        {
            Interlocked.Exchange(ref _insertsSincePrune, 0);
            Prune(c);
        }
    }

    /// <summary>Entries in the file (for tests and the operator).</summary>
    public long Count()
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM passes";
        return (long)cmd.ExecuteScalar()!;
    }

    private void Prune(SqliteConnection c)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM passes WHERE expires <= $now; " +
            "DELETE FROM passes WHERE client IN (SELECT client FROM passes ORDER BY expires DESC LIMIT -1 OFFSET $max);";
        cmd.Parameters.AddWithValue("$now", Now);
        cmd.Parameters.AddWithValue("$max", _maxEntries);
        cmd.ExecuteNonQuery();
    }
}
