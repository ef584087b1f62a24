using System.Diagnostics;

namespace Postbote.TestSupport.Peers;

/// <summary>Runs a peer's control command (postfix, dovecot, chown) to completion, bounded in time.</summary>
internal static class PeerCommand
{
    public sealed record Result(int ExitCode, string Output);

    /// <summary>Runs <paramref name="file"/> with its output sent to a temporary file, not a pipe: daemons
    /// (postfix start, dovecot) fork and keep the inherited descriptors open, so a pipe would never see EOF.</summary>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var outputFile = Path.GetTempFileName();
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("out=\"$1\"; shift; exec \"$@\" </dev/null >\"$out\" 2>&1");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(outputFile);
        info.ArgumentList.Add(file);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout}");
            }
            return new Result(process.ExitCode, await File.ReadAllTextAsync(outputFile, CancellationToken.None));
        }
        finally
        {
            File.Delete(outputFile);
        }
    }

    public static async Task RunCheckedAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(file, arguments, timeout, cancellationToken);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Output}");
    }

    /// <summary>Finds the first existing executable among <paramref name="candidates"/>, else on PATH.</summary>
    public static string? Locate(string name, params string[] candidates)
    {
        foreach (var candidate in candidates)
            if (File.Exists(candidate)) return candidate;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>A temp directory that unprivileged daemon users (postfix, dovecot) can traverse.</summary>
    public static string CreateWorkDirectory(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return dir;
    }

    public static Task ChownAsync(string owner, string path, CancellationToken cancellationToken = default)
        => RunCheckedAsync("chown", ["-R", owner, path], TimeSpan.FromSeconds(30), cancellationToken);

    /// <summary>Numeric uid and gid of a system user, read from /etc/passwd; null when absent.</summary>
    public static (int Uid, int Gid)? LookupUser(string user)
    {
        if (!File.Exists("/etc/passwd")) return null;
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length > 3 && fields[0] == user) return (int.Parse(fields[2]), int.Parse(fields[3]));
        }
        return null;
    }

    /// <summary>Last <paramref name="lines"/> lines of a log file, for error messages.</summary>
    public static string Tail(string path, int lines = 30)
    {
        if (!File.Exists(path)) return $"({path} does not exist)";
        var all = File.ReadAllLines(path);
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>Whether to keep a peer's work directory after dispose (POSTBOTE_KEEP_PEERS=1), for debugging.</summary>
    public static bool KeepWorkDirectories => Environment.GetEnvironmentVariable("POSTBOTE_KEEP_PEERS") == "1";

    /// <summary>Whether a pid is gone or a zombie (exited, not yet reaped by its parent).</summary>
    public static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
        }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
