namespace Postbote.Queue;

/// <summary>
/// Modes of what the spool creates, whatever the process umask (which can only take bits away): queue files 0600 and
/// queue directories 0700, readable by the server's user alone, as Postfix keeps its queue. Null on Windows (ACLs).
/// </summary>
internal static class SpoolFileModes
{
    public static UnixFileMode? File => OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> and its missing parents, each 0700 (the mode of CreateDirectory(path, mode) reaches the last one only).</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
            return;
        }
        if (System.IO.Directory.Exists(path)) return;
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } parent) CreateDirectory(parent);
        System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
