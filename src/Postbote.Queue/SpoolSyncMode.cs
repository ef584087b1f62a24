namespace Postbote.Queue;

/// <summary>How the spool makes a commit durable (setting <c>Queue:SyncMode</c>).</summary>
public enum SpoolSyncMode
{
    /// <summary>
    /// One syncfs(2) of the spool's file system per batch of commits, then one directory fsync (for the device
    /// cache flush): measured fastest on ext4 for one session and for many. It also writes out whatever else is
    /// dirty on that file system, so give the spool a file system of its own if something else writes heavily
    /// there. Needs Linux 5.8 or later (error reporting); elsewhere <see cref="Files"/> is used.
    /// </summary>
    FileSystem,

    /// <summary>fsync(2) of every written file and of the spool's directories, as Postfix does (without the
    /// directories); the batch still shares the directory fsyncs.</summary>
    Files,
}
