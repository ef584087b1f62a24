using System.Text.Json;
using Microsoft.Extensions.Logging;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

public sealed partial class Spool
{
    /// <summary>
    /// The start-up scan (DESIGN.md "The spool"): removes files left in tmp/ by a crash (never acknowledged),
    /// removes message files that have no envelope (orphans of an interrupted commit or removal), moves
    /// unreadable envelopes and envelopes without a message file to corrupt/. Returns what it did.
    /// </summary>
    public SpoolRecoveryReport Recover()
    {
        int temps = 0, orphans = 0, corrupt = 0, resumed = 0;
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
                    ok = env is not null && env.QueueId == id && File.Exists(MessagePath(id));
                }
                catch (JsonException) { ok = false; }
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
        FileSync.Directory(TempDirectory);
        FileSync.Directory(MessageDirectory);
        var report = new SpoolRecoveryReport(resumed, temps, orphans, corrupt);
        LogRecovered(report.Resumed, report.TemporaryFilesRemoved, report.OrphansRemoved, report.MovedToCorrupt);
        return report;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "spool: envelope {QueueId} in {State} is unreadable or has no message file; moved to corrupt/")]
    private partial void LogCorrupt(string queueId, QueueState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "spool: recovered, {Resumed} messages queued, {Temps} temporary files and {Orphans} orphans removed, {Corrupt} moved to corrupt/")]
    private partial void LogRecovered(int resumed, int temps, int orphans, int corrupt);
}
