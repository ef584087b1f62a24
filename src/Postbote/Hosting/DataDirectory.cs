namespace Postbote.Hosting;

/// <summary>
/// Creates the data directory (queue, mailboxes, directory database, TLS key) 0750 whatever the umask: the server's
/// user writes, its group (an admin's backup, a Dovecot sharing the mailboxes) reads, others get nothing. An existing
/// directory keeps the mode its operator gave it.
/// </summary>
public static class DataDirectory
{
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(path);
        else System.IO.Directory.CreateDirectory(path,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
    }
}
