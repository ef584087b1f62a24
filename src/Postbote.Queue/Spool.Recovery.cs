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
    /// Ends by setting the marker again, until <see cref="MarkCleanStop"/>.
    /// </summary>
    public SpoolRecoveryReport Recover()
    {
        int temps = 0, orphans = 0, corrupt = 0, resumed = 0;
        bool verify = File.Exists(UncleanMarkerPath);
        DateTimeOffset newest = DateTimeOffset.MinValue;
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
                catch (JsonException) { ok = false; }
                if (QueueId.IsValid(id) && QueueId.ArrivalOf(id) is var arrival && arrival > newest) newest = arrival;
                if (ok)
                {
                    withEnvelope.Add(id);
                    if (state == QueueState.Active) resumed++;
                    continue;
                }
                var target = Path.Combine(StateDirectory(QueueState.Corrupt), Path.GetFileName(file));
                File.Move(file, target, overwrite: true);
                corrupt++;
                withEnvelope.Add(id); // keep its message file for inspection
                LogCorrupt(id, state);
            }
        }
        foreach (var file in System.IO.Directory.GetFiles(StateDirectory(QueueState.Corrupt), "*.json"))
            withEnvelope.Add(Path.GetFileNameWithoutExtension(file));
        foreach (var file in System.IO.Directory.GetFiles(MessageDirectory))
        {
            if (withEnvelope.Contains(Path.GetFileName(file))) continue;
            File.Delete(file);
            orphans++;
        }
        foreach (var file in System.IO.Directory.GetFiles(MessageDirectory))
            if (Path.GetFileName(file) is var id && QueueId.IsValid(id) && QueueId.ArrivalOf(id) is var arrival && arrival > newest) newest = arrival;
        FileSync.Directory(TempDirectory);
        FileSync.Directory(MessageDirectory);
        File.WriteAllBytes(UncleanMarkerPath, []);
        FileSync.Directory(Root);
        lock (_idLock) _newestRecovered = newest;
        var report = new SpoolRecoveryReport(resumed, temps, orphans, corrupt);
        LogRecovered(report.Resumed, report.TemporaryFilesRemoved, report.OrphansRemoved, report.MovedToCorrupt);
        return report;
    }

    /// <summary>Present while a server uses the spool; its presence at start means the last stop was not clean.</summary>
    public string UncleanMarkerPath => Path.Combine(Root, "in-use");

    /// <summary>
    /// Records a clean stop (every commit finished, nothing writing): the next start-up scan may trust the message
    /// files without reading them. Losing this removal in a crash only makes the next scan verify.
    /// </summary>
    public void MarkCleanStop()
    {
        try { File.Delete(UncleanMarkerPath); }
        catch (IOException e) { LogMarkerNotRemoved(e.Message); }
    }

    /// <summary>The message file exists with the length in the envelope and, when asked (and recorded), its hash.</summary>
    private bool IsIntact(QueuedMessage envelope, bool verifyHash)
    {
        var path = MessagePath(envelope.QueueId);
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != envelope.Size) return false;
        if (!verifyHash || envelope.ContentHash is null) return true;
        var hash = new System.IO.Hashing.XxHash3();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) hash.Append(buffer.AsSpan(0, n));
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
        return hash.GetCurrentHashAsUInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture) == envelope.ContentHash;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "spool: could not remove the in-use marker at a clean stop ({Reason}); the next start verifies every message")]
    private partial void LogMarkerNotRemoved(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "spool: envelope {QueueId} in {State} is unreadable or its message file is missing or incomplete; moved to corrupt/")]
    private partial void LogCorrupt(string queueId, QueueState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "spool: recovered, {Resumed} messages queued, {Temps} temporary files and {Orphans} orphans removed, {Corrupt} moved to corrupt/")]
    private partial void LogRecovered(int resumed, int temps, int orphans, int corrupt);
}
