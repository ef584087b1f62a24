using System.Text.Json;
using Microsoft.Extensions.Logging;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

public sealed partial class Spool
{
    /// <summary>
    /// The start-up scan (DESIGN.md "The spool"): removes files left in tmp/ by a crash (never acknowledged),
    /// removes message files that have no envelope (orphans of an interrupted commit or removal), moves
    /// unreadable envelopes and envelopes without an intact message file to corrupt/. Returns what it did.
    /// After an unclean stop (the marker <see cref="UncleanMarkerPath"/> is still there) it also verifies the length and
    /// hash of every queued message against its envelope: a commit cut short by a power loss was never acknowledged
    /// but may have left a renamed envelope whose bytes did not reach the disk (see <see cref="CommitAsync"/>).
    /// Ends by setting the marker again, until <see cref="MarkCleanStopAsync"/>.
    /// </summary>
    public SpoolRecoveryReport Recover()
    {
        int temps = 0, orphans = 0, corrupt = 0, resumed = 0;
        bool verify = File.Exists(UncleanMarkerPath);
        long newest = long.MinValue;
        void SeeId(string id)
        {
            if (QueueId.IsValid(id)) newest = Math.Max(newest, QueueId.ArrivalOf(id).ToUnixTimeMilliseconds());
        }
        foreach (var file in System.IO.Directory.GetFiles(TempDirectory))
        {
            File.Delete(file);
            temps++;
        }
        var withEnvelope = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in new[] { QueueState.Active, QueueState.Hold })
        {
            foreach (var file in System.IO.Directory.GetFiles(StateDirectory(state), "*.json"))
            {
                var id = Path.GetFileNameWithoutExtension(file);
                bool ok;
                try
                {
                    var env = JsonSerializer.Deserialize(File.ReadAllBytes(file), EnvelopeJsonContext.Default.QueuedMessage);
                    ok = env is not null && env.QueueId == id && IsIntact(env, verify);
                }
                catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException) { ok = false; }
                SeeId(id);
                if (ok)
                {
                    withEnvelope.Add(id);
                    if (state == QueueState.Active) resumed++;
                    continue;
                }
                var target = Path.Combine(StateDirectory(QueueState.Corrupt), Path.GetFileName(file));
                for (int n = 1; File.Exists(target); n++)
                    target = Path.Combine(StateDirectory(QueueState.Corrupt), $"{id}.{n}.json");
                File.Move(file, target);
                corrupt++;
                withEnvelope.Add(id); // keep its message file for inspection
                LogCorrupt(id, state);
            }
        }
        foreach (var file in System.IO.Directory.GetFiles(StateDirectory(QueueState.Corrupt), "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            withEnvelope.Add(name.Length > QueueId.Length ? name[..QueueId.Length] : name);
        }
        foreach (var file in System.IO.Directory.GetFiles(MessageDirectory))
        {
            if (withEnvelope.Contains(Path.GetFileName(file))) continue;
            File.Delete(file);
            orphans++;
        }
        foreach (var file in System.IO.Directory.GetFiles(MessageDirectory)) SeeId(Path.GetFileName(file));
        foreach (var dir in AllDirectories) FileSync.Directory(dir);
        EnsureInUseMarker();
        lock (_idLock) _newestRecoveredMillis = newest;
        var report = new SpoolRecoveryReport(resumed, temps, orphans, corrupt);
        LogRecovered(report.Resumed, report.TemporaryFilesRemoved, report.OrphansRemoved, report.MovedToCorrupt);
        Metrics.Census.Load(this);
        return report;
    }

    /// <summary>Present while a server uses the spool; its presence at start means the last stop was not clean.</summary>
    public string UncleanMarkerPath => Path.Combine(Root, "in-use");

    private string[] AllDirectories =>
        [TempDirectory, MessageDirectory, StateDirectory(QueueState.Active), StateDirectory(QueueState.Hold), StateDirectory(QueueState.Corrupt)];

    private readonly Lock _writersLock = new();
    private int _writers;
    private bool _closed;
    private TaskCompletionSource? _writersDone;
    private volatile bool _markerSet;

    /// <summary>Sets the marker (durably) before the first write of this spool instance that could leave a torn
    /// commit behind: the start-up scan, a commit or an envelope rewrite by the server or by a local submission.</summary>
    private void EnsureInUseMarker()
    {
        if (_markerSet) return;
        lock (_writersLock)
        {
            if (_markerSet) return;
            if (!File.Exists(UncleanMarkerPath))
            {
                File.WriteAllBytes(UncleanMarkerPath, []);
                FileSync.Directory(Root);
            }
            _markerSet = true;
        }
    }

    private void BeginWrite()
    {
        lock (_writersLock)
        {
            if (_closed) throw new IOException("spool: closed for a clean stop; not queued");
            _writers++;
        }
    }

    private void EndWrite()
    {
        lock (_writersLock)
        {
            if (--_writers == 0) _writersDone?.TrySetResult();
        }
    }

    /// <summary>
    /// Records a clean stop so that the next start-up scan may trust the message files without reading them:
    /// refuses further commits and envelope rewrites, waits (at most <paramref name="wait"/>) for those running,
    /// makes the whole spool durable, then removes the marker. If writes are still running after the wait the
    /// marker stays (the next start verifies). Losing the removal in a crash only makes the next scan verify.
    /// Returns whether the stop was recorded as clean.
    /// </summary>
    public async Task<bool> MarkCleanStopAsync(TimeSpan wait)
    {
        Task running;
        lock (_writersLock)
        {
            _closed = true;
            if (_writers == 0) running = Task.CompletedTask;
            else running = (_writersDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        try { await running.WaitAsync(wait).ConfigureAwait(false); }
        catch (TimeoutException)
        {
            LogMarkerKept("commits were still running");
            return false;
        }
        try
        {
            if (FileSync.CanSyncFileSystem)
            {
                int fd = FileSync.OpenDirectoryDescriptor(Root);
                try { FileSync.SyncFileSystem(fd); }
                finally { FileSync.CloseDescriptor(fd); }
            }
            foreach (var dir in AllDirectories) FileSync.Directory(dir);
            File.Delete(UncleanMarkerPath);
            FileSync.Directory(Root);
            return true;
        }
        catch (IOException e)
        {
            LogMarkerKept(e.Message);
            return false;
        }
    }

    /// <summary>The message file exists with the length in the envelope and, when asked (and recorded), its hash.</summary>
    private bool IsIntact(QueuedMessage envelope, bool verifyHash)
    {
        var path = MessagePath(envelope.QueueId);
        var info = new FileInfo(path);
        // The caller treats an I/O error reading the file (likely after a power loss) as "not intact".
        if (!info.Exists || info.Length != envelope.Size) return false;
        if (!verifyHash || envelope.ContentHash is null) return true;
        var hash = new System.IO.Hashing.XxHash3();
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan))
            hash.Append(stream);
        return IncomingMessage.FormatContentHash(hash) == envelope.ContentHash;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "spool: stop not recorded as clean ({Reason}); the next start verifies every message")]
    private partial void LogMarkerKept(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "spool: envelope {QueueId} in {State} is unreadable or its message file is missing or incomplete; moved to corrupt/")]
    private partial void LogCorrupt(string queueId, QueueState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "spool: recovered, {Resumed} messages queued, {Temps} temporary files and {Orphans} orphans removed, {Corrupt} moved to corrupt/")]
    private partial void LogRecovered(int resumed, int temps, int orphans, int corrupt);
}
