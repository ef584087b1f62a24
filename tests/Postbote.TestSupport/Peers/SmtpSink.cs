using System.Diagnostics;
using System.Text;

namespace Postbote.TestSupport.Peers;

/// <summary>
/// Postfix's <c>smtp-sink</c> test server on a free 127.0.0.1 port: accepts every message and counts it
/// (its <c>-c</c> counters on stdout). With <c>dumpMessages</c> each transaction is also written to one
/// file under <see cref="DumpDirectory"/> (<c>-d</c>), headed by X-Mail-Args/X-Rcpt-Args records.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private static readonly string? Binary = PeerCommand.Locate("smtp-sink", "/usr/sbin/smtp-sink", "/usr/lib/postfix/sbin/smtp-sink");
    private readonly bool _dumpMessages;
    private readonly int _backlog;
    private Process? _process;
    private Task? _counterReader;
    private int _messages;
    private int _sessions;

    public SmtpSink(bool dumpMessages = true, int backlog = 256)
    {
        _dumpMessages = dumpMessages;
        _backlog = backlog;
        Port = LoopbackPort.Free();
        WorkDirectory = PeerCommand.CreateWorkDirectory("postbote-smtpsink-");
    }

    /// <summary>Null when smtp-sink can run here; otherwise why not.</summary>
    public static string? UnavailableReason =>
        Binary is null ? "smtp-sink not installed (package postfix; run scripts/install-test-deps.sh)"
        : Environment.IsPrivilegedProcess && PeerCommand.LookupUser("postfix") is null ? "smtp-sink as root needs the 'postfix' user for -u"
        : null;

    public static bool IsAvailable => UnavailableReason is null;

    public int Port { get; }
    public string WorkDirectory { get; }
    public string DumpDirectory => Path.Combine(WorkDirectory, "dump");

    /// <summary>Messages received (DATA completed), from smtp-sink's running counter.</summary>
    public int MessageCount => Volatile.Read(ref _messages);

    /// <summary>Sessions ended, from smtp-sink's running counter.</summary>
    public int SessionCount => Volatile.Read(ref _sessions);

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (UnavailableReason is { } reason) throw new InvalidOperationException(reason);
        if (_process is not null) return;
        var info = new ProcessStartInfo(Binary!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Environment.IsPrivilegedProcess) { info.ArgumentList.Add("-u"); info.ArgumentList.Add("postfix"); }
        info.ArgumentList.Add("-c");
        if (_dumpMessages)
        {
            Directory.CreateDirectory(DumpDirectory);
            if (Environment.IsPrivilegedProcess) await PeerCommand.ChownAsync("postfix", DumpDirectory, cancellationToken);
            info.ArgumentList.Add("-d");
            info.ArgumentList.Add(Path.Combine(DumpDirectory, "%Y%m%d%H%M%S."));
        }
        info.ArgumentList.Add($"127.0.0.1:{Port}");
        info.ArgumentList.Add(_backlog.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start smtp-sink");
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _counterReader = Task.Run(() => ReadCountersAsync(_process.StandardOutput));
        if (!await LoopbackPort.WaitUntilAcceptingAsync(Port, TimeSpan.FromSeconds(15), cancellationToken))
            throw new TimeoutException($"smtp-sink did not accept on 127.0.0.1:{Port}");
    }

    /// <summary>Waits (bounded) until smtp-sink has counted <paramref name="count"/> messages.</summary>
    public async Task<bool> WaitForMessageCountAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (MessageCount < count && DateTime.UtcNow < deadline)
            await Task.Delay(25, cancellationToken);
        return MessageCount >= count;
    }

    /// <summary>Dump files written so far (with dumpMessages), oldest first.</summary>
    public IReadOnlyList<string> DumpedFiles()
        => Directory.Exists(DumpDirectory)
            ? new DirectoryInfo(DumpDirectory).EnumerateFiles("*", SearchOption.AllDirectories)
                .OrderBy(f => f.LastWriteTimeUtc).Select(f => f.FullName).ToList()
            : [];

    public async Task StopAsync()
    {
        if (_process is null) return;
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { }
        if (_counterReader is not null) await Task.WhenAny(_counterReader, Task.Delay(TimeSpan.FromSeconds(2)));
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (!PeerCommand.KeepWorkDirectories)
            try { Directory.Delete(WorkDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    // smtp-sink -c writes "sess=N quit=N mesg=N" records separated by '\r'.
    private async Task ReadCountersAsync(StreamReader output)
    {
        var buffer = new char[4096];
        var record = new StringBuilder();
        int read;
        while ((read = await output.ReadAsync(buffer)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                char c = buffer[i];
                if (c == '\r' || c == '\n') { ParseRecord(record.ToString()); record.Clear(); }
                else record.Append(c);
            }
        }
        ParseRecord(record.ToString());
    }

    private void ParseRecord(string record)
    {
        foreach (var field in record.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = field.IndexOf('=');
            if (eq < 0 || !int.TryParse(field.AsSpan(eq + 1), out var value)) continue;
            switch (field[..eq])
            {
                case "mesg": Volatile.Write(ref _messages, value); break;
                case "sess": Volatile.Write(ref _sessions, value); break;
            }
        }
    }
}
