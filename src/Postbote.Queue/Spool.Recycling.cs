using System.Globalization;

namespace Postbote.Queue;

public sealed partial class Spool
{
    // Files of removed messages kept in tmp/ for reuse: creating and deleting two inodes per message is the
    // largest kernel cost of the accept path on ext4, reusing one costs a truncate at most.
    private const int RecycledFilesKept = 512;
    private readonly Queue<(string Path, long DurableAfterBatch)> _recycled = new();
    private readonly Lock _recycleLock = new();
    private long _recycleSequence;

    /// <summary>Removes a message from the spool: the envelope first, so a crash never leaves an envelope without data.</summary>
    public void Remove(string queueId)
    {
        if (!Recycle(EnvelopePath(queueId, QueueState.Active)))
        {
            foreach (var state in new[] { QueueState.Hold, QueueState.Corrupt })
                if (Delete(EnvelopePath(queueId, state))) break;
        }
        Recycle(MessagePath(queueId));
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
    private bool Recycle(string path)
    {
        lock (_recycleLock)
        {
            if (_recycled.Count >= RecycledFilesKept) return Delete(path);
        }
        var target = Path.Combine(TempDirectory, "recycled." + Interlocked.Increment(ref _recycleSequence).ToString(CultureInfo.InvariantCulture));
        try
        {
            FileSync.Rename(path, target);
        }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
        long durableAfter = _dirSync.NextBatch;
        lock (_recycleLock) _recycled.Enqueue((target, durableAfter));
        return true;
    }

    /// <summary>A recycled file whose removal is durable, or null.</summary>
    private string? TakeRecycled()
    {
        long completed = _dirSync.CompletedBatches;
        lock (_recycleLock)
        {
            if (_recycled.TryPeek(out var head) && head.DurableAfterBatch <= completed)
            {
                _recycled.Dequeue();
                return head.Path;
            }
        }
        return null;
    }
}
