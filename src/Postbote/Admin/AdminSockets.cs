using Postbote.Configuration;

namespace Postbote.Admin;

/// <summary>
/// Where the server's two local sockets live. <c>DATA/admin.sock</c> (mode 0600, and only the server's own uid or
/// root as peer) carries the queue control API; <c>DATA/submit.sock</c> (mode 0666, any local user, whose uid and
/// name are recorded in the Received header) carries only local submission, the job of Postfix's postdrop.
/// </summary>
public static class AdminSockets
{
    public const string AdminFileName = "admin.sock";
    public const string SubmitFileName = "submit.sock";

    public static string AdminPath(ResolvedConfiguration config) => Path.Combine(config.DataDirectory, AdminFileName);
    public static string SubmitPath(ResolvedConfiguration config) => Path.Combine(config.DataDirectory, SubmitFileName);
}
