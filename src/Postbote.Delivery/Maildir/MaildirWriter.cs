using System.Globalization;
using System.Text;

namespace Postbote.Delivery.Maildir;

/// <summary>
/// Writes one message into a Maildir (https://cr.yp.to/proto/maildir.html) the safe way: a uniquely named file in
/// tmp/, fsync, rename into new/ (or cur/ with flags), fsync of the directory. File names follow Dovecot:
/// "time.MusecPpidQnRrand.host,S=size[:2,flags]". Maildir++ subfolders (".Sent") are supported.
/// </summary>
public sealed class MaildirWriter
{
    private readonly string _hostname;
    private readonly TimeProvider _time;
    private int _counter;

    /// <summary>Creates a writer that names files with <paramref name="hostname"/> and the injected clock.</summary>
    public MaildirWriter(string hostname, TimeProvider? timeProvider = null)
    {
        // The host part must not contain "/" or ":" (the Maildir spec's escapes).
        _hostname = hostname.Replace("/", "\\057", StringComparison.Ordinal).Replace(":", "\\072", StringComparison.Ordinal);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates new/, cur/ and tmp/ under <paramref name="maildir"/> (and "maildirfolder" for a Maildir++ subfolder).</summary>
    public static void EnsureMaildir(string maildir, bool isSubfolder = false)
    {
        foreach (var sub in new[] { "cur", "new", "tmp" })
            CreateDirectoryDurably(Path.Combine(maildir, sub));
        if (isSubfolder)
        {
            var marker = Path.Combine(maildir, "maildirfolder");
            if (!File.Exists(marker))
                File.WriteAllBytes(marker, Array.Empty<byte>());
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> and any missing parents, and fsyncs the parent of each directory it created: on a
    /// first delivery the whole Maildir is new, and the message's fsync and the rename into new/ survive a crash only if
    /// the directory entries leading to new/ do too (otherwise the spool forgets a message the mailbox never kept).
    /// </summary>
    private static void CreateDirectoryDurably(string path)
    {
        var full = Path.GetFullPath(path);
        if (System.IO.Directory.Exists(full))
            return;
        var missing = new Stack<string>();
        for (var dir = full; dir is not null && !System.IO.Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
            missing.Push(dir);
        foreach (var created in missing)
        {
            // 0700 (and messages 0600) whatever the umask: a mailbox is its owner's alone (Dovecot's defaults). Each
            // level is created with the mode: CreateDirectory(path, mode) gives it to the last one only.
            if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(created);
            else System.IO.Directory.CreateDirectory(created, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (Path.GetDirectoryName(created) is { } parent)
                DirectorySync.Flush(parent);
        }
    }

    /// <summary>
    /// The bytes in new/ and cur/ of <paramref name="maildir"/> and of its Maildir++ folders (".Sent", ...), as Dovecot's
    /// Maildir++ quota counts them: the S= size from the file name when present, else the file length.
    /// </summary>
    public static long MeasureUsage(string maildir)
    {
        long total = MeasureFolder(maildir);
        var root = new DirectoryInfo(maildir);
        if (root.Exists)
        {
            foreach (var folder in root.EnumerateDirectories(".*"))
                total += MeasureFolder(folder.FullName);
        }
        return total;
    }

    private static long MeasureFolder(string folder)
    {
        long total = 0;
        foreach (var sub in new[] { "new", "cur" })
        {
            var dir = new DirectoryInfo(Path.Combine(folder, sub));
            if (!dir.Exists)
                continue;
            foreach (var file in dir.EnumerateFiles())
                total += SizeFromName(file.Name) ?? file.Length;
        }
        return total;
    }

    /// <summary>
    /// Delivers <paramref name="prefix"/> followed by <paramref name="message"/> into <paramref name="maildir"/>
    /// (or its Maildir++ <paramref name="folder"/>, e.g. ".Sent"). Without flags the message goes to new/;
    /// with flags (e.g. "S") to cur/ with ":2,flags". Returns the final path.
    /// </summary>
    public async Task<string> DeliverAsync(string maildir, ReadOnlyMemory<byte> prefix, Stream message, string? folder = null,
        string? flags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var target = folder is null ? maildir : Path.Combine(maildir, folder.StartsWith('.') ? folder : "." + folder);
        EnsureMaildir(maildir);
        if (folder is not null)
            EnsureMaildir(target, isSubfolder: true);

        var baseName = UniqueName();
        var tmpPath = Path.Combine(target, "tmp", baseName);
        long size;
        try
        {
            await using (var file = new FileStream(tmpPath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 64 * 1024,
                Options = FileOptions.Asynchronous, UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
                await file.WriteAsync(prefix, cancellationToken).ConfigureAwait(false);
                await message.CopyToAsync(file, 64 * 1024, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
                size = file.Length;
            }
            var finalName = string.IsNullOrEmpty(flags)
                ? $"{baseName},S={size}"
                : $"{baseName},S={size}:2,{new string(flags.Distinct().Order().ToArray())}";
            var finalDir = Path.Combine(target, string.IsNullOrEmpty(flags) ? "new" : "cur");
            var finalPath = Path.Combine(finalDir, finalName);
            File.Move(tmpPath, finalPath, overwrite: false);
            DirectorySync.Flush(finalDir);
            return finalPath;
        }
        catch
        {
            TryDelete(tmpPath);
            throw;
        }
    }

    private string UniqueName()
    {
        var now = _time.GetUtcNow();
        var seconds = now.ToUnixTimeSeconds();
        var micro = (now.Ticks / 10) % 1_000_000;
        var counter = Interlocked.Increment(ref _counter);
        var random = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.M{micro}P{Environment.ProcessId}Q{counter}R{random}.{_hostname}");
    }

    private static long? SizeFromName(string name)
    {
        var s = name.IndexOf(",S=", StringComparison.Ordinal);
        if (s < 0)
            return null;
        var digits = name.AsSpan(s + 3);
        var end = 0;
        while (end < digits.Length && char.IsAsciiDigit(digits[end]))
            end++;
        return long.TryParse(digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The header block prepended at delivery: "Return-Path: &lt;sender&gt;" and "Delivered-To: rcpt".</summary>
    public static byte[] DeliveryHeaders(string reversePath, string recipient)
        => Encoding.UTF8.GetBytes($"Return-Path: <{reversePath}>\r\nDelivered-To: {recipient}\r\n");
}
