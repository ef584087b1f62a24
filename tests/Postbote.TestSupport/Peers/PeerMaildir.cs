namespace Postbote.TestSupport.Peers;

/// <summary>Reads what a peer delivered into a Maildir (new/ and cur/), oldest first.</summary>
public static class PeerMaildir
{
    /// <summary>Message files under <paramref name="maildir"/>/new and /cur, ordered by write time; empty when absent.</summary>
    public static IReadOnlyList<string> MessageFiles(string maildir)
    {
        var files = new List<FileInfo>();
        foreach (var sub in new[] { "new", "cur" })
        {
            var dir = new DirectoryInfo(Path.Combine(maildir, sub));
            if (dir.Exists) files.AddRange(dir.EnumerateFiles());
        }
        return files.OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).Select(f => f.FullName).ToList();
    }

    /// <summary>Polls <see cref="MessageFiles"/> until at least <paramref name="count"/> messages are there or the deadline passes.</summary>
    /// <returns>The files found at the end (fewer than <paramref name="count"/> when the deadline passed).</returns>
    public static async Task<IReadOnlyList<string>> WaitForMessagesAsync(string maildir, int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var files = MessageFiles(maildir);
            if (files.Count >= count || DateTime.UtcNow >= deadline) return files;
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }
}
