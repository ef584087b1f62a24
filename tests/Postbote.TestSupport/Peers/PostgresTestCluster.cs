using System.Globalization;
using System.Text;
using Xunit;

namespace Postbote.TestSupport.Peers;

/// <summary>
/// A private PostgreSQL cluster for tests: <c>initdb</c> into a temporary directory, <c>pg_ctl start</c> on a free
/// 127.0.0.1 port with its unix socket in that directory, stopped and removed on dispose. Started as root (as the
/// tests run here) the server runs as the unprivileged <c>postgres</c> user (<c>runuser</c>); PostgreSQL refuses to
/// run as root. Use it as an xunit class or collection fixture: one cluster per test class, a fresh database per test
/// (<see cref="CreateDatabaseAsync"/>). Missing binaries fail the test with a message naming the package (no skip:
/// scripts/install-test-deps.sh installs it). fsync is off (tests need not
/// survive power loss); synchronous_commit stays on, so even an immediate stop (<see cref="RestartAsync"/>) keeps every committed row.
/// </summary>
public sealed class PostgresTestCluster : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private const string ServerUser = "postgres";
    private int _databases;
    private bool _running;

    public PostgresTestCluster()
    {
        BinDirectory = FindBinDirectory();
        WorkDirectory = PeerCommand.CreateWorkDirectory("postbote-pg-");
    }

    /// <summary>The directory holding initdb, pg_ctl, postgres, pg_isready and psql (the newest /usr/lib/postgresql/N/bin,
    /// or POSTBOTE_PG_BIN); null when PostgreSQL is not installed.</summary>
    public static string? FindBinDirectory()
    {
        var overridden = Environment.GetEnvironmentVariable("POSTBOTE_PG_BIN");
        if (!string.IsNullOrEmpty(overridden)) return File.Exists(Path.Combine(overridden, "initdb")) ? overridden : null;
        if (!System.IO.Directory.Exists("/usr/lib/postgresql")) return null;
        return System.IO.Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(c => File.Exists(Path.Combine(c.Dir, "initdb")) && File.Exists(Path.Combine(c.Dir, "pg_ctl")))
            .OrderByDescending(c => c.Version)
            .Select(c => c.Dir)
            .FirstOrDefault();
    }

    public string? BinDirectory { get; }
    public string WorkDirectory { get; }
    public string DataDirectory => Path.Combine(WorkDirectory, "data");
    public string SocketDirectory => Path.Combine(WorkDirectory, "run");
    public string LogPath => Path.Combine(WorkDirectory, "postgres.log");
    /// <summary>The TCP port on 127.0.0.1 (chosen at the first start, kept across restarts).</summary>
    public int Port { get; private set; }
    public bool IsRunning => _running;

    /// <summary>A connection string (Npgsql syntax) for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username={ServerUser};Database={database}";

    public async Task InitializeAsync()
    {
        if (BinDirectory is null)
            throw new InvalidOperationException(
                "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (or POSTBOTE_PG_BIN): install the Debian package 'postgresql' (scripts/install-test-deps.sh)");
        if (Environment.IsPrivilegedProcess && PeerCommand.LookupUser(ServerUser) is null)
            throw new InvalidOperationException($"running as root, the test cluster needs the system user '{ServerUser}' (created by the 'postgresql' package)");
        System.IO.Directory.CreateDirectory(DataDirectory);
        System.IO.Directory.CreateDirectory(SocketDirectory);
        if (Environment.IsPrivilegedProcess) await PeerCommand.ChownAsync($"{ServerUser}:", WorkDirectory);
        await RunAsServerUserAsync("initdb", ["-D", DataDirectory, "-U", ServerUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), new StringBuilder()
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine($"unix_socket_directories = '{SocketDirectory}'")
            .AppendLine("fsync = off")
            .AppendLine("full_page_writes = off")
            .AppendLine("max_connections = 200")
            .AppendLine("shared_buffers = 32MB")
            .ToString());
        await StartAsync();
    }

    /// <summary>Starts the server (first on a free port, later on the same one) and waits until pg_isready says it accepts.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_running) return;
        // A port found free may be taken by another test's peer before the server binds it: try a few.
        for (int attempt = 0; ; attempt++)
        {
            if (Port == 0 || attempt > 0) Port = LoopbackPort.Free();
            var result = await RunAsServerUserAsync("pg_ctl",
                ["-D", DataDirectory, "-l", LogPath, "-w", "-t", ((int)ReadyTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                 "-o", $"-p {Port}", "start"], check: false, cancellationToken);
            if (result.ExitCode == 0) break;
            if (attempt >= 4 || !PeerCommand.Tail(LogPath, 10).Contains("could not bind", StringComparison.Ordinal))
                throw new InvalidOperationException($"pg_ctl start exited {result.ExitCode}: {result.Output}\n{PeerCommand.Tail(LogPath)}");
        }
        _running = true;
        await WaitUntilReadyAsync(cancellationToken);
    }

    /// <summary>Stops the server: "fast" (roll back sessions, checkpoint) or "immediate" (as after a crash).</summary>
    public async Task StopAsync(string mode = "fast", CancellationToken cancellationToken = default)
    {
        if (!_running) return;
        await RunAsServerUserAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "-t", "30", "stop"], check: true, cancellationToken);
        _running = false;
    }

    public async Task RestartAsync(string mode = "fast", CancellationToken cancellationToken = default)
    {
        await StopAsync(mode, cancellationToken);
        await StartAsync(cancellationToken);
    }

    /// <summary>Creates a fresh empty database and returns its connection string (one per test keeps tests apart).</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        name ??= "t" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture);
        await PsqlAsync($"CREATE DATABASE \"{name}\"", "postgres", cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>
    /// Creates a fresh schema in the "postgres" database and returns a connection string whose Search Path is that schema:
    /// as separate as a database for tables, triggers and functions, and made in milliseconds (a database takes seconds).
    /// </summary>
    public async Task<string> CreateSchemaAsync(CancellationToken cancellationToken = default)
    {
        string name = "s" + Guid.NewGuid().ToString("N");
        await PsqlAsync($"CREATE SCHEMA {name}", "postgres", cancellationToken);
        return ConnectionString() + ";Search Path=" + name;
    }

    /// <summary>Runs SQL with psql over TCP (ON_ERROR_STOP), returning its unaligned output.</summary>
    public async Task<string> PsqlAsync(string sql, string database = "postgres", CancellationToken cancellationToken = default)
    {
        var psql = Path.Combine(BinDirectory!, "psql");
        if (!File.Exists(psql)) psql = PeerCommand.Locate("psql") ?? throw new InvalidOperationException("psql not found (package postgresql-client)");
        var result = await PeerCommand.RunAsync(psql,
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture),
             "-U", ServerUser, "-d", database, "-c", sql], CommandTimeout, cancellationToken);
        if (result.ExitCode != 0) throw new InvalidOperationException($"psql -c \"{sql}\" exited {result.ExitCode}: {result.Output}");
        return result.Output.Trim();
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        string last = "";
        for (int attempt = 0; attempt < 600 && DateTime.UtcNow < deadline; attempt++)
        {
            var result = await PeerCommand.RunAsync(Path.Combine(BinDirectory!, "pg_isready"),
                ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-t", "2"], TimeSpan.FromSeconds(10), cancellationToken);
            if (result.ExitCode == 0) return;
            last = result.Output;
            await Task.Delay(50, cancellationToken);
        }
        throw new TimeoutException($"PostgreSQL on 127.0.0.1:{Port} not ready within {ReadyTimeout}: {last}\n{PeerCommand.Tail(LogPath)}");
    }

    private Task<PeerCommand.Result> RunAsServerUserAsync(string tool, IReadOnlyList<string> arguments, bool check = true, CancellationToken cancellationToken = default) =>
        RunAsServerUserCoreAsync(Path.Combine(BinDirectory!, tool), arguments, check, cancellationToken);

    private static async Task<PeerCommand.Result> RunAsServerUserCoreAsync(string binary, IReadOnlyList<string> arguments, bool check, CancellationToken cancellationToken)
    {
        (string file, IEnumerable<string> args) = Environment.IsPrivilegedProcess
            ? ("runuser", new[] { "-u", ServerUser, "--", binary }.Concat(arguments))
            : (binary, arguments);
        var result = await PeerCommand.RunAsync(file, args, CommandTimeout, cancellationToken);
        if (check && result.ExitCode != 0)
            throw new InvalidOperationException($"{binary} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Output}");
        return result;
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_running) await StopAsync("immediate");
        }
        finally
        {
            if (!PeerCommand.KeepWorkDirectories)
                try { System.IO.Directory.Delete(WorkDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
