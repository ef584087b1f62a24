using Postbote.Commands;
using Spectre.Console.Cli;

// Configuration overrides "--Section:Key=value" may be given to any command; they are handed to the
// configuration as the equivalent POSTBOTE_Section__Key environment variables, which it already reads.
var rest = new List<string>();
foreach (var arg in args)
{
    int eq = arg.IndexOf('=');
    if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 2 && arg.AsSpan(2, eq - 2).Contains(':'))
        Environment.SetEnvironmentVariable("POSTBOTE_" + arg[2..eq].Replace(":", "__"), arg[(eq + 1)..]);
    else rest.Add(arg);
}

var app = new CommandApp();
app.Configure(c =>
{
    c.SetApplicationName("postbote");
    c.SetApplicationVersion(Postbote.VersionInfo.Version);
    c.AddCommand<ServeCommand>("serve").WithDescription("Run the mail server.")
        .WithExample("serve").WithExample("serve", "--config", "/etc/postbote/postbote.json");
    c.AddCommand<CheckConfigCommand>("check-config").WithDescription("Validate a configuration file and print every problem.")
        .WithExample("check-config", "--config", "/etc/postbote/postbote.json");
    c.AddBranch("queue", q =>
    {
        q.SetDescription("Inspect and control the mail queue (mailq, postqueue, postsuper).");
        q.AddCommand<QueueListCommand>("list").WithDescription("List queued messages (like mailq).")
            .WithExample("queue", "list").WithExample("queue", "list", "--json");
    });
    c.AddBranch("user", u =>
    {
        u.SetDescription("Manage users (their passwords are stored as SCRAM-SHA-256 keys, never in plain text).");
        u.AddCommand<UserAddCommand>("add").WithExample("user", "add", "me@example.org").WithExample("user", "add", "app@example.org", "--password-stdin");
        u.AddCommand<UserPasswdCommand>("passwd").WithExample("user", "passwd", "me@example.org");
        u.AddCommand<UserRemoveCommand>("remove").WithExample("user", "remove", "me@example.org");
        u.AddCommand<UserListCommand>("list").WithExample("user", "list").WithExample("user", "list", "example.org", "--json");
    });
    c.AddBranch("domain", d =>
    {
        d.SetDescription("Manage local domains.");
        d.AddCommand<DomainAddCommand>("add").WithExample("domain", "add", "example.org");
        d.AddCommand<DomainRemoveCommand>("remove").WithExample("domain", "remove", "example.org", "--force");
        d.AddCommand<DomainListCommand>("list");
    });
    c.AddBranch("alias", a =>
    {
        a.SetDescription("Manage aliases (forwardings, lists, catch-alls).");
        a.AddCommand<AliasAddCommand>("add").WithExample("alias", "add", "info@example.org", "me@example.org", "you@example.net").WithExample("alias", "add", "@example.org", "me@example.org");
        a.AddCommand<AliasRemoveCommand>("remove").WithExample("alias", "remove", "info@example.org");
        a.AddCommand<AliasListCommand>("list");
        a.AddCommand<AliasImportCommand>("import").WithExample("alias", "import", "/etc/aliases", "example.org");
    });
});
return app.Run(rest);
