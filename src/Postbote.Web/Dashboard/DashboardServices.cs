using Postbote.Directory;
using Postbote.MailAuth.Dkim;
using Postbote.Queue.Control;

namespace Postbote.Web.Dashboard;

/// <summary>What the dashboard talks to: the same queue control and directory interfaces the CLI uses.</summary>
public sealed class DashboardServices
{
    public required IMailDirectory Directory { get; init; }
    public required IAdminAccounts Admins { get; init; }
    public required IQueueControl Queue { get; init; }
    public required DkimKeyStore Dkim { get; init; }
    public required MailLogTail Log { get; init; }
    public required TimeProvider Time { get; init; }
    /// <summary>Where the ASP.NET Core data-protection keys that sign and encrypt the session cookie are kept (mode 0700).</summary>
    public required string KeyDirectory { get; init; }
}
