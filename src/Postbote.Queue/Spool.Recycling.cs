using System.Globalization;

namespace Postbote.Queue;

public sealed partial class Spool
{
    // Files of removed messages kept in tmp/ for reuse: creating and deleting two inodes per message is the
    // largest kernel cost of the accept path on ext4, reusing one costs a truncate at most. Message files and
    // envelopes are kept apart, so that a reused file is about the size it is cut to (a truncate that frees
    // blocks costs more than one within the last block).
    private const int RecycledFilesKept = 256;
    private readonly Queue<(string Path, long DurableAfterBatch)> _recycledMessages = new();
    private readonly Queue<(string Path, long DurableAfterBatch)> _recycledEnvelopes = new();
    private readonly Lock _recycleLock = new();
    private long _recycleSequence;

    /// <summary>Removes a message from the spool: the envelope first, so a crash never leaves an envelope without data.</summary>
    public void Remove(string queueId)
    {
        Metrics.Census.Remove(queueId);
        if (!Recycle(EnvelopePath(queueId, QueueState.Active), _recycledEnvelopes))
        {
            foreach (var state in new[] { QueueState.Hold, QueueState.Corrupt })
                if (Delete(EnvelopePath(queueId, state))) break;
        }
        Recycle(MessagePath(queueId), _recycledMessages);
    }

    private static bool Delete(string path)
    {
        try
        {
            if (!File.Exists(path)) return false;
            File.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException) { return false; }
    }

    /// <summary>
    /// Takes a removed file (from messages/ or active/) out of the spool into tmp/ for reuse by a later message or
    /// envelope, or deletes it when enough are kept. Files in tmp/ are never acknowledged: the start-up scan removes
    /// them. A recycled file is handed out only once a sync that began after its rename has completed: were the
    /// rename lost in a power failure while a new message overwrote the file in place, the removed message's
    /// name would come back pointing at the new message's bytes. Returns false for a missing file.
    /// </summary>
    private bool Recycle(string path, Queue<(string Path, long DurableAfterBatch)> kept)
    {
        lock (_recycleLock)
        {
            if (kept.Count >= RecycledFilesKept) return Delete(path);
        }
        var target = Path.Combine(TempDirectory, "recycled." + Interlocked.Increment(ref _recycleSequence).ToString(CultureInfo.InvariantCulture));
        try
        {
            FileSync.Rename(path, target);
        }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
        long durableAfter = _dirSync.NextBatch;
        lock (_recycleLock) kept.Enqueue((target, durableAfter));
        return true;
    }

    /// <summary>A recycled message file whose removal is durable, or null.</summary>
    private string? TakeRecycledMessage() => TakeRecycled(_recycledMessages);

    /// <summary>A recycled envelope file whose removal is durable, or null.</summary>
    private string? TakeRecycledEnvelope() => TakeRecycled(_recycledEnvelopes);

    private string? TakeRecycled(Queue<(string Path, long DurableAfterBatch)> kept)
    {
        long completed = _dirSync.CompletedBatches;
        lock (_recycleLock)
        {
            if (kept.TryPeek(out var head) && head.DurableAfterBatch <= completed)
            {
                kept.Dequeue();
                return head.Path;
            }
        }
        return null;
    }
}
