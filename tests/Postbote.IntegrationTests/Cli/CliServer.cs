using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Cli;

/// <summary>
/// The real `postbote` binary (postbote.dll in the test's bin directory, run with `dotnet`): a configuration with
/// loopback listeners on kernel-chosen ports and deferred delivery, `serve` as a child process whose ports are read
/// from its "listening on" log lines, and the CLI commands run against the same configuration.
/// </summary>
public sealed partial class CliServer : IAsyncDisposable
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "postbote.dll");

    private Process? _server;

    private CliServer(string directory, bool deliver)
    {
        Directory = directory;
        ConfigFile = Path.Combine(directory, "postbote.json");
        DataDirectory = Path.Combine(directory, "data");
        File.WriteAllText(ConfigFile, JsonSerializer.Serialize(new
        {
            Hostname = "mx.test.local",
            DataDirectory,
            Domains = new[] { "test.local" },
            Listeners = new object[]
            {
                new { Name = "mx", Endpoint = "127.0.0.1:0", Role = "Mx" },
                new { Name = "submission", Endpoint = "127.0.0.1:0", Role = "Submission" },
            },
            Dns = new { Servers = new[] { "127.0.0.1:1" }, Timeout = "00:00:01" },
            Queue = new { DeferDelivery = !deliver },
            Http = new { Endpoint = "" },
        }));
    }

    public string Directory { get; }
    public string ConfigFile { get; }
    public string DataDirectory { get; }
    public int MxPort { get; private set; }
    public int SubmissionPort { get; private set; }
    public string AdminSocket => Path.Combine(DataDirectory, "admin.sock");

    /// <summary>A configuration and data directory, with no server running; <paramref name="deliver"/>: delivery runs (else it is deferred).</summary>
    public static CliServer Create(bool deliver = false)
    {
        var dir = Path.Combine(Path.GetTempPath(), "postbote-cli-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(dir);
        return new CliServer(dir, deliver);
    }

    /// <summary>Starts `postbote serve` and waits (bounded) until its listeners and admin socket are up.</summary>
    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Dll, "serve", "--config", ConfigFile }) psi.ArgumentList.Add(a);
        _server = Process.Start(psi)!;
        var ports = new List<int>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _ = _server.StandardError.ReadToEndAsync();
        while (true)
        {
            var line = await _server.StandardOutput.ReadLineAsync(deadline.Token)
                ?? throw new InvalidOperationException("postbote serve exited before it was ready");
            var m = ListeningLine().Match(line);
            if (m.Success) ports.Add(int.Parse(m.Groups[1].Value));
            if (line.Contains("admin socket", StringComparison.Ordinal)) break;
        }
        MxPort = ports[0];
        SubmissionPort = ports[1];
        _ = DrainAsync(_server.StandardOutput);
    }

    /// <summary>Kills the server (as a crash would: the socket files stay behind, stale).</summary>
    public async Task KillAsync()
    {
        if (_server is null) return;
        _server.Kill(entireProcessTree: true);
        await _server.WaitForExitAsync();
        _server.Dispose();
        _server = null;
    }

    /// <summary>Runs `postbote ARGS --config FILE` (the config option is appended unless <paramref name="withConfig"/> is false).</summary>
    public Task<ExternalTool.Result> RunAsync(string[] args, string? stdin = null, bool withConfig = true) =>
        ExternalTool.RunAsync("dotnet", new[] { Dll }.Concat(args).Concat(withConfig ? new[] { "--config", ConfigFile } : []), stdin,
            TimeSpan.FromSeconds(60));

    /// <summary>`queue list --json`, parsed.</summary>
    public async Task<JsonElement[]> QueueAsync()
    {
        var r = await RunAsync(["queue", "list", "--json"]);
        Assert.True(r.ExitCode == 0, r.Output);
        return JsonDocument.Parse(r.Stdout).RootElement.EnumerateArray().ToArray();
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        try { while (await reader.ReadLineAsync() is not null) { } }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+) ")]
    private static partial Regex ListeningLine();
}
