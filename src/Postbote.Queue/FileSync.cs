using System.Runtime.InteropServices;

namespace Postbote.Queue;

/// <summary>
/// fsync of files and directories. .NET flushes a file with <see cref="FileStream.Flush(bool)"/>, but has
/// no way to fsync a directory, which is what makes a rename durable on Linux; that needs open(2) and fsync(2).
/// </summary>
public static partial class FileSync
{
    private const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8, EntryPoint = "open")]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", SetLastError = true, EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", SetLastError = true, EntryPoint = "syncfs")]
    private static partial int Syncfs(int fd);

    [LibraryImport("libc", SetLastError = true, EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8, EntryPoint = "rename")]
    private static partial int RenameFile(string from, string to);

    private const int ENOENT = 2;

    /// <summary>
    /// rename(2): moves <paramref name="from"/> to <paramref name="to"/>, replacing it if it exists (the spool's
    /// names are unique; where a replacement matters the caller decides). One system call: File.Move adds two or
    /// three lstat(2) calls to emulate Windows semantics, a measurable cost at thousands of messages a second.
    /// Throws <see cref="FileNotFoundException"/> when <paramref name="from"/> (or the target directory) is missing.
    /// </summary>
    public static void Rename(string from, string to)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            File.Move(from, to, overwrite: true);
            return;
        }
        if (RenameFile(from, to) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == ENOENT) throw new FileNotFoundException($"rename({from}, {to}): no such file or directory", from);
        throw new IOException($"rename({from}, {to}) failed: errno {errno}");
    }

    /// <summary>Makes the entries of <paramref name="directory"/> (renames, creations, deletions) durable.</summary>
    public static void Directory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD()) return;
        int fd = Open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw new IOException($"open({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally { Close(fd); }
    }

    /// <summary>True where <see cref="FileSystem"/> is available (Linux: syncfs(2), which reports writeback errors since 5.8).</summary>
    public static bool CanSyncFileSystem => OperatingSystem.IsLinux();

    /// <summary>
    /// Makes everything written on the file system holding <paramref name="directory"/> durable: file data,
    /// inodes and directory entries (syncfs(2)). One call serves every file written before it started.
    /// </summary>
    public static void FileSystem(string directory)
    {
        if (!CanSyncFileSystem) throw new PlatformNotSupportedException("syncfs(2) is Linux-only");
        int fd = Open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw new IOException($"open({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Syncfs(fd) != 0) throw new IOException($"syncfs({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally { Close(fd); }
    }
}
