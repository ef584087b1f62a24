using System.Runtime.InteropServices;

namespace Postbote.Delivery.Maildir;

/// <summary>fsync(2) of a directory, so a rename into it survives a crash. .NET cannot open a directory as a FileStream.</summary>
internal static partial class DirectorySync
{
    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true, EntryPoint = "fsync")]
    private static extern int Fsync(int fd);

    [DllImport("libc", SetLastError = true, EntryPoint = "close")]
    private static extern int Close(int fd);

    /// <summary>Flushes the directory entry list of <paramref name="path"/> to disk; a no-op where unsupported.</summary>
    public static void Flush(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
            return;
        var fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
            throw new IOException($"cannot open directory {path} for fsync (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            Close(fd);
        }
    }
}
