using System.Runtime.InteropServices;

namespace Postbote.Queue;

/// <summary>
/// fsync of files and directories, syncfs and renames. .NET flushes a file with <see cref="FileStream.Flush(bool)"/>,
/// but has no way to fsync a directory, which is what makes a rename durable on Linux; that needs open(2) and fsync(2).
/// </summary>
public static partial class FileSync
{
    private const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;
    private const int ENOENT = 2, EEXIST = 17, EINVAL = 22, ENOSYS = 38, AT_FDCWD = -100;
    private const uint RENAME_NOREPLACE = 1;

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

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8, EntryPoint = "renameat2")]
    private static partial int RenameAt2(int oldDirFd, string from, int newDirFd, string to, uint flags);

    private static bool IsUnix => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>Makes the entries of <paramref name="directory"/> (renames, creations, deletions) durable.</summary>
    public static void Directory(string directory)
    {
        if (!IsUnix) return;
        int fd = OpenDirectoryDescriptor(directory);
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally { Close(fd); }
    }

    /// <summary>
    /// True where <see cref="SyncFileSystem"/> can be relied on: Linux 5.8 and later, where syncfs(2) reports
    /// write-back errors (before 5.8 it returned 0 whatever happened).
    /// </summary>
    public static bool CanSyncFileSystem => OperatingSystem.IsLinux() && Environment.OSVersion.Version >= new Version(5, 8);

    /// <summary>Opens a directory read-only (for fsync, or for <see cref="SyncFileSystem"/>, where it is kept open).</summary>
    public static int OpenDirectoryDescriptor(string directory)
    {
        int fd = Open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw new IOException($"open({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        return fd;
    }

    /// <summary>Closes a descriptor from <see cref="OpenDirectoryDescriptor"/>.</summary>
    public static void CloseDescriptor(int fd) => Close(fd);

    /// <summary>
    /// Makes everything written on the file system of <paramref name="directoryFd"/> durable: file data, inodes and
    /// directory entries (syncfs(2)). One call serves every file written before it started. Fails if a write-back
    /// error happened on that file system since the last call through the same descriptor.
    /// </summary>
    public static void SyncFileSystem(int directoryFd)
    {
        if (!CanSyncFileSystem) throw new PlatformNotSupportedException("syncfs(2) with error reporting needs Linux 5.8 or later");
        if (Syncfs(directoryFd) != 0) throw new IOException($"syncfs failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>
    /// rename(2): moves <paramref name="from"/> to <paramref name="to"/>, replacing it if it exists. One system
    /// call: File.Move adds lstat(2) calls to emulate Windows semantics, a measurable cost at thousands of
    /// messages a second. Throws <see cref="FileNotFoundException"/> when <paramref name="from"/> (or the target
    /// directory) is missing.
    /// </summary>
    public static void Rename(string from, string to)
    {
        if (!IsUnix)
        {
            File.Move(from, to, overwrite: true);
            return;
        }
        if (RenameFile(from, to) == 0) return;
        throw RenameError(from, to, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// Like <see cref="Rename"/>, but fails with <see cref="IOException"/> instead of replacing an existing
    /// <paramref name="to"/> (renameat2(2) with RENAME_NOREPLACE, or link and unlink where that is missing).
    /// </summary>
    public static void RenameNoReplace(string from, string to)
    {
        if (OperatingSystem.IsLinux())
        {
            if (RenameAt2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINVAL && errno != ENOSYS) throw RenameError(from, to, errno);
        }
        File.Move(from, to, overwrite: false);
    }

    private static IOException RenameError(string from, string to, int errno) => errno switch
    {
        ENOENT => new FileNotFoundException($"rename({from}, {to}): no such file or directory", from),
        EEXIST => new IOException($"rename({from}, {to}): the target exists"),
        _ => new IOException($"rename({from}, {to}) failed: errno {errno}"),
    };
}
