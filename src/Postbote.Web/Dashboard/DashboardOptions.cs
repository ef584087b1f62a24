namespace Postbote.Web.Dashboard;

/// <summary>The web dashboard on the HTTP listener (Http:Dashboard in the configuration).</summary>
public sealed class DashboardOptions
{
    /// <summary>Serve the dashboard beside /metrics. Default true: it is behind a login, only admins made with
    /// `postbote admin add` can log in, and the listener is on loopback unless Http:Endpoint says otherwise.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a session lasts without a request (sliding). Default 8 hours: a working day; closing the
    /// browser ends the session too (the cookie has no expiry date).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Failed logins for one admin name within <see cref="LoginLockout"/> before that name is refused
    /// without checking the password. Default 5 (like a typical PAM faillock deny=).</summary>
    public int LoginFailuresPerName { get; set; } = 5;

    /// <summary>Failed logins from one client address within <see cref="LoginLockout"/> before it is refused. Default 20:
    /// a few admins behind one NAT may mistype; a password guesser is stopped.</summary>
    public int LoginFailuresPerAddress { get; set; } = 20;

    /// <summary>The window that failed logins are counted over, and how long a locked name or address waits. Default 15 minutes.</summary>
    public TimeSpan LoginLockout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lines of the mail log kept in memory for the log page (and per-message history); 0 keeps none and turns
    /// the live tail off. Default 2000.</summary>
    public int MailLogLines { get; set; } = 2000;

    /// <summary>Rows per page of the queue list. Default 50.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>Adds a problem naming the key for every invalid value.</summary>
    public void Validate(List<string> problems)
    {
        if (SessionIdleTimeout < TimeSpan.FromMinutes(1)) problems.Add("Http:Dashboard:SessionIdleTimeout must be at least 00:01:00");
        if (LoginFailuresPerName < 1) problems.Add("Http:Dashboard:LoginFailuresPerName must be at least 1");
        if (LoginFailuresPerAddress < 1) problems.Add("Http:Dashboard:LoginFailuresPerAddress must be at least 1");
        if (LoginLockout < TimeSpan.FromSeconds(1)) problems.Add("Http:Dashboard:LoginLockout must be at least 00:00:01");
        if (MailLogLines is < 0 or > 1_000_000) problems.Add("Http:Dashboard:MailLogLines must be between 0 and 1000000");
        if (PageSize is < 1 or > 1000) problems.Add("Http:Dashboard:PageSize must be between 1 and 1000");
    }
}
