using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Postbote.IntegrationTests.Infrastructure;

/// <summary>
/// `postbote serve` as a real child process (the postbote.dll beside the tests), for what only a process
/// can show: kill -9, SIGTERM, the exit code and message of a bad configuration.
/// </summary>
public sealed partial class PostboteProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, int> _ports = new();

    private PostboteProcess(Process process, string dataDirectory, string configFile)
    {
        _process = process;
        DataDirectory = dataDirectory;
        ConfigFile = configFile;
    }

    public string DataDirectory { get; }
    public string ConfigFile { get; }
    public int Pid => _process.Id;
    public IReadOnlyCollection<string> Output => _output;
    public int Port(string listener) => _ports[listener];

    /// <summary>Writes a configuration (listeners mx/submission/submissions on kernel-chosen ports) and starts the server.</summary>
    public static async Task<PostboteProcess> StartAsync(string? dataDirectory = null, Action<Dictionary<string, object>>? configure = null)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "postbote-proc-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dataDirectory);
        var config = new Dictionary<string, object>
        {
            ["Hostname"] = "mx.test.local",
            ["DataDirectory"] = dataDirectory,
            ["Domains"] = new[] { "test.local" },
            ["Listeners"] = new object[]
            {
                new { Name = "mx", Endpoint = "127.0.0.1:0", Role = "Mx" },
                new { Name = "submission", Endpoint = "127.0.0.1:0", Role = "Submission" },
                new { Name = "submissions", Endpoint = "127.0.0.1:0", Role = "Submission", ImplicitTls = true },
            },
            ["Queue"] = new { DeferDelivery = true },
            ["Http"] = new { Endpoint = "127.0.0.1:0" },
            ["Dns"] = new { Servers = new[] { "127.0.0.1:1" } },
            // as the in-process fixture: no end-of-DATA checks against the DNS server that does not exist
            ["MailAuth"] = new { DkimVerifyEnabled = false, DmarcEnabled = false },
        };
        configure?.Invoke(config);
        var configFile = Path.Combine(dataDirectory, "postbote.json");
        await File.WriteAllTextAsync(configFile, JsonSerializer.Serialize(config));
        return await LaunchAsync(dataDirectory, configFile, "serve", "--config", configFile);
    }

    /// <summary>Starts `postbote ARGS` without waiting for anything (a command, or a serve expected to fail).</summary>
    public static Task<PostboteProcess> RunAsync(string dataDirectory, string configFile, params string[] args) =>
        LaunchCoreAsync(dataDirectory, configFile, waitForReady: false, args);

    public static Task<PostboteProcess> LaunchAsync(string dataDirectory, string configFile, params string[] args) =>
        LaunchCoreAsync(dataDirectory, configFile, waitForReady: args.Length > 0 && args[0] == "serve", args);

    /// <summary>Starts `postbote ARGS` and, for serve, waits until every listener logged its port.</summary>
    private static async Task<PostboteProcess> LaunchCoreAsync(string dataDirectory, string configFile, bool waitForReady, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "postbote.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var p = new PostboteProcess(process, dataDirectory, configFile);
        process.OutputDataReceived += (_, e) => p.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => p.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitForReady)
        {
            var exited = process.WaitForExitAsync();
            var first = await Task.WhenAny(p._ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
            if (first != p._ready.Task)
                throw new InvalidOperationException("postbote serve did not become ready:\n" + string.Join("\n", p._output));
        }
        return p;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        var m = ListeningLine().Match(line);
        if (m.Success)
        {
            lock (_ports) _ports[m.Groups[2].Value] = int.Parse(m.Groups[1].Value);
        }
        if (line.Contains("postbote ") && line.Contains(" ready:")) _ready.TrySetResult();
    }

    [GeneratedRegex(@"listening on [^ ]+:(\d+) \((\w+),")]
    private static partial Regex ListeningLine();

    /// <summary>kill -9: no chance to clean up.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd stops a service.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", new[] { "-TERM", _process.Id.ToString() })!;
        await kill.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
