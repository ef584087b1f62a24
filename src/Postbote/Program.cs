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
});
return app.Run(rest);
