using Microsoft.Data.Sqlite;

namespace Postbote.Smtpd.Greylisting;

/// <summary>
/// Greylisting's state in a SQLite file of its own in the data directory: the triplets (first and last attempt,
/// passed or not), the client networks with their count of successful retries, and the sender domains that passed
/// with SPF pass. Bounded: what is older than the retry window (unpassed) or <see cref="GreylistOptions.MaxAge"/>
/// (the rest) is pruned, and each table keeps at most <see cref="GreylistOptions.MaxEntries"/> rows, the least
/// recently seen going first. Times are Unix seconds from the injected clock. One pooled connection per call.
/// </summary>
public sealed class GreylistStore
{
    /// <summary>A network's successful retries are counted at most once in this time (postgrey: one an hour).</summary>
    public static readonly TimeSpan SuccessCountInterval = TimeSpan.FromHours(1);

    private readonly SqliteStateFile _file;
    private readonly GreylistOptions _options;
    private readonly TimeProvider _time;
    private int _insertsSincePrune;

    private GreylistStore(SqliteStateFile file, GreylistOptions options, TimeProvider time)
    {
        _file = file;
        _options = options;
        _time = time;
    }

    /// <summary>Opens (creating if needed) the file and prunes it.</summary>
    public static GreylistStore Open(string path, GreylistOptions options, TimeProvider time)
    {
        var file = new SqliteStateFile(path,
            "CREATE TABLE IF NOT EXISTS triplets (key TEXT PRIMARY KEY, first INTEGER NOT NULL, last INTEGER NOT NULL, passed INTEGER NOT NULL); " +
            "CREATE INDEX IF NOT EXISTS triplets_last ON triplets(last); " +
            "CREATE TABLE IF NOT EXISTS networks (network TEXT PRIMARY KEY, successes INTEGER NOT NULL, last INTEGER NOT NULL); " +
            "CREATE INDEX IF NOT EXISTS networks_last ON networks(last); " +
            "CREATE TABLE IF NOT EXISTS domains (domain TEXT PRIMARY KEY, last INTEGER NOT NULL); " +
            "CREATE INDEX IF NOT EXISTS domains_last ON domains(last);");
        var store = new GreylistStore(file, options, time);
        store.Prune();
        return store;
    }

    private SqliteConnection Connect() => _file.Connect();

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Rows last seen at or before this are expired.</summary>
    private long Oldest => Now - (long)_options.MaxAge.TotalSeconds;

    /// <summary>Records an attempt of <paramref name="triplet"/> and says what it is now (one write transaction).</summary>
    public TripletState RecordAttempt(GreylistTriplet triplet)
    {
        long now = Now, delay = (long)_options.Delay.TotalSeconds, window = (long)_options.RetryWindow.TotalSeconds;
        using var c = Connect();
        using var tx = c.BeginTransaction(); // BEGIN IMMEDIATE: two sessions with the same triplet see each other's write
        long? first = null;
        bool passed = false;
        using (var select = SqliteStateFile.Command(c, tx, "SELECT first, passed FROM triplets WHERE key = $k", ("$k", triplet.Key)))
        {
            using var r = select.ExecuteReader();
            if (r.Read()) { first = r.GetInt64(0); passed = r.GetInt64(1) != 0; }
        }
        TripletState state;
        string sql;
        if (first is null) { state = new(TripletStatus.New, delay); sql = "INSERT INTO triplets (key, first, last, passed) VALUES ($k, $now, $now, 0)"; }
        else if (passed) { state = new(TripletStatus.Known, 0); sql = "UPDATE triplets SET last = $now WHERE key = $k"; }
        else if (now - first.Value > window) { state = new(TripletStatus.New, delay); sql = "UPDATE triplets SET first = $now, last = $now WHERE key = $k"; }
        else if (now - first.Value < delay) { state = new(TripletStatus.Early, delay - (now - first.Value)); sql = "UPDATE triplets SET last = $now WHERE key = $k"; }
        else { state = new(TripletStatus.Retried, now - first.Value); sql = "UPDATE triplets SET passed = 1, last = $now WHERE key = $k"; }
        SqliteStateFile.Execute(c, tx, sql, ("$k", triplet.Key), ("$now", now));
        tx.Commit();
        if (first is null) PruneIfDue(c);
        return state;
    }

    /// <summary>The successful retries counted for <paramref name="network"/> (0 when unknown or expired).</summary>
    public long Successes(string network)
    {
        return _file.Scalar("SELECT successes FROM networks WHERE network = $n AND last > $oldest",
            ("$n", network), ("$oldest", Oldest)) is long n ? n : 0;
    }

    /// <summary>
    /// Counts a successful delivery attempt of <paramref name="network"/>, at most once per
    /// <see cref="SuccessCountInterval"/> (a burst of retries is one sender coming back, not five); returns the count,
    /// or null when this one was not counted.
    /// </summary>
    public long? CountSuccess(string network)
    {
        long now = Now;
        using var c = Connect();
        using var cmd = SqliteStateFile.Command(c, null,
            "INSERT INTO networks (network, successes, last) VALUES ($n, 1, $now) " +
            "ON CONFLICT(network) DO UPDATE SET successes = CASE WHEN last <= $oldest THEN 1 ELSE successes + 1 END, last = $now " +
            "WHERE last <= $now - $interval OR last > $now; " +
            "SELECT successes, changes() FROM networks WHERE network = $n;",
            ("$n", network), ("$now", now), ("$oldest", Oldest), ("$interval", (long)SuccessCountInterval.TotalSeconds));
        using var r = cmd.ExecuteReader();
        r.Read();
        return r.GetInt64(1) > 0 ? r.GetInt64(0) : null;
    }

    /// <summary>A whitelisted network seen again: keeps it from expiring (once per <see cref="SuccessCountInterval"/>).</summary>
    public void Touch(string network)
    {
        long now = Now;
        using var c = Connect();
        SqliteStateFile.Execute(c, null, "UPDATE networks SET last = $now WHERE network = $n AND last <= $now - $interval",
            ("$n", network), ("$now", now), ("$interval", (long)SuccessCountInterval.TotalSeconds));
    }

    /// <summary>True when <paramref name="domain"/> passed greylisting with SPF pass within <see cref="GreylistOptions.MaxAge"/>.</summary>
    public bool IsKnownDomain(string domain)
    {
        return _file.Scalar("SELECT 1 FROM domains WHERE domain = $d AND last > $oldest", ("$d", domain), ("$oldest", Oldest)) is not null;
    }

    public void RecordDomain(string domain)
    {
        using var c = Connect();
        SqliteStateFile.Execute(c, null, "INSERT INTO domains (domain, last) VALUES ($d, $now) ON CONFLICT(domain) DO UPDATE SET last = excluded.last",
            ("$d", domain), ("$now", Now));
    }

    /// <summary>Rows in each table (for tests and the operator).</summary>
    public (long Triplets, long Networks, long Domains) Count()
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COUNT(*) FROM triplets), (SELECT COUNT(*) FROM networks), (SELECT COUNT(*) FROM domains)";
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
    }

    /// <summary>Drops what expired and trims each table to the bound (also done at open and every few hundred new triplets).</summary>
    public void Prune()
    {
        using var c = Connect();
        Prune(c);
    }

    // Every 1,000 new triplets (or a tenth of the bound when it is small): the cost of pruning spread thin.
    private void PruneIfDue(SqliteConnection c)
    {
        if (Interlocked.Increment(ref _insertsSincePrune) < Math.Min(1000, Math.Max(1, _options.MaxEntries / 10))) return;
        Interlocked.Exchange(ref _insertsSincePrune, 0);
        Prune(c);
    }

    private void Prune(SqliteConnection c)
    {
        long now = Now;
        SqliteStateFile.Execute(c, null,
            "DELETE FROM triplets WHERE (passed = 0 AND first <= $now - $window) OR last <= $oldest; " +
            "DELETE FROM networks WHERE last <= $oldest; " +
            "DELETE FROM domains WHERE last <= $oldest; " +
            "DELETE FROM triplets WHERE key IN (SELECT key FROM triplets ORDER BY last DESC LIMIT -1 OFFSET $max); " +
            "DELETE FROM networks WHERE network IN (SELECT network FROM networks ORDER BY last DESC LIMIT -1 OFFSET $max); " +
            "DELETE FROM domains WHERE domain IN (SELECT domain FROM domains ORDER BY last DESC LIMIT -1 OFFSET $max);",
            ("$now", now), ("$window", (long)_options.RetryWindow.TotalSeconds),
            ("$oldest", Oldest), ("$max", _options.MaxEntries));
    }
}
