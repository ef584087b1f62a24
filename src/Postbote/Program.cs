using Postbote.Commands;
using Postbote.Configuration;
using Spectre.Console.Cli;

// Configuration overrides "--Section:Key=value" may be given to any command.
var rest = CommandLineOverrides.Apply(args);

// sendmail(8) options (-oi, -fADDR, -odi...) are not GNU-style; they get their own parser.
if (rest.Count > 0 && rest[0] == "sendmail")
    return await SendmailCommand.RunAsync(rest.Skip(1).ToList(), Console.OpenStandardInput(), Console.OpenStandardOutput(), CancellationToken.None);

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
            .WithExample("queue", "list").WithExample("queue", "list", "--json").WithExample("queue", "list", "--domain", "example.net", "--state", "deferred");
        q.AddCommand<QueueShowCommand>("show").WithDescription("Show a message: envelope, headers, each recipient's state and last reply.")
            .WithExample("queue", "show", "06B1Q2TM7QGY").WithExample("queue", "show", "06B1Q2TM7QGY", "--json");
        q.AddCommand<QueueFlushCommand>("flush").WithDescription("Deliver deferred mail now (postqueue -f, -s DOMAIN, -i ID).")
            .WithExample("queue", "flush").WithExample("queue", "flush", "--domain", "example.net").WithExample("queue", "flush", "06B1Q2TM7QGY");
        q.AddCommand<QueueDeleteCommand>("delete").WithDescription("Delete messages without notice (postsuper -d).")
            .WithExample("queue", "delete", "06B1Q2TM7QGY").WithExample("queue", "delete", "--all", "--yes");
        q.AddCommand<QueueHoldCommand>("hold").WithDescription("Put a message on hold (postsuper -h).").WithExample("queue", "hold", "06B1Q2TM7QGY");
        q.AddCommand<QueueReleaseCommand>("release").WithDescription("Release a held message (postsuper -H).").WithExample("queue", "release", "06B1Q2TM7QGY");
        q.AddCommand<QueueBounceCommand>("bounce").WithDescription("Give up on a message now and return it to the sender with a DSN (needs the running server).")
            .WithExample("queue", "bounce", "06B1Q2TM7QGY");
    });
    c.AddCommand<SendCommand>("send").WithDescription("Send a test message and print the SMTP dialogue (like swaks).")
        .WithExample("send", "--to", "you@example.net")
        .WithExample("send", "--server", "mx.example.org:587", "--starttls", "--auth", "--user", "me@example.org", "--password-stdin", "--from", "me@example.org", "--to", "you@example.net")
        .WithExample("send", "--server", "localhost:465", "--tls", "--auth", "PLAIN", "--user", "me@example.org", "--password-stdin", "--to", "you@example.net", "--header", "Subject: hello", "--body", "Hi!")
        .WithExample("send", "--to", "you@example.net", "--data", "@message.eml", "--pipelining");
    c.AddBranch("dns", d =>
    {
        d.SetDescription("DNS as delivery sees it.");
        d.AddCommand<DnsRouteCommand>("route").WithDescription("The hosts mail for a domain goes to, in the order they are tried (dig -t MX, the way delivery resolves it).")
            .WithExample("dns", "route", "example.net").WithExample("dns", "route", "example.net", "--json");
        d.AddCommand<DnsCheckCommand>("check").WithDescription("Whether a domain is ready to send from here: MX, A/AAAA, PTR (FCrDNS), SPF, DKIM, DMARC, each OK/MISSING/WRONG with the record to publish.")
            .WithExample("dns", "check", "example.org").WithExample("dns", "check", "example.org", "--ip", "192.0.2.25", "--json");
    });
    c.AddBranch("tls", t =>
    {
        t.SetDescription("Learned outbound TLS levels (Delivery:Tls:LearnLevels).");
        t.AddCommand<TlsListCommand>("list").WithDescription("Destinations held to the TLS level they have shown.").WithExample("tls", "list", "--json");
        t.AddCommand<TlsForgetCommand>("forget").WithDescription("Forget a destination's learned TLS level.").WithExample("tls", "forget", "example.net");
    });
    c.AddBranch("auth", a =>
    {
        a.SetDescription("Mail authentication checks as the Mx listener makes them.");
        a.AddCommand<AuthSpfCommand>("spf").WithDescription("The SPF result (RFC 7208) for a client address, HELO name and sender: first line the result word.")
            .WithExample("auth", "spf", "--ip", "192.0.2.7", "--helo", "mail.example.net", "--mail-from", "bob@example.net");
    });
    c.AddBranch("dkim", d =>
    {
        d.SetDescription("DKIM signing keys (RFC 6376): mail from a domain with a key is signed.");
        d.AddCommand<DkimKeygenCommand>("keygen").WithDescription("Create a key for a domain and print the DNS record to publish.")
            .WithExample("dkim", "keygen", "example.org").WithExample("dkim", "keygen", "example.org", "--algorithm", "ed25519").WithExample("dkim", "keygen", "example.org", "--selector", "s1", "--json");
        d.AddCommand<DkimListCommand>("list").WithDescription("List the keys and which of them sign.").WithExample("dkim", "list", "--json");
        d.AddCommand<DkimShowCommand>("show").WithDescription("Show a domain's keys with their DNS records.").WithExample("dkim", "show", "example.org");
        d.AddCommand<DkimRotateCommand>("rotate").WithDescription("Create a new key with a new selector; the old one signs until removed.").WithExample("dkim", "rotate", "example.org");
        d.AddCommand<DkimRemoveCommand>("remove").WithDescription("Remove a key.").WithExample("dkim", "remove", "example.org", "pb202601");
    });
    c.AddBranch("user", u =>
    {
        u.SetDescription("Manage users (their passwords are stored as SCRAM-SHA-256 keys, never in plain text).");
        u.AddCommand<UserAddCommand>("add").WithExample("user", "add", "me@example.org").WithExample("user", "add", "app@example.org", "--password-stdin");
        u.AddCommand<UserPasswdCommand>("passwd").WithExample("user", "passwd", "me@example.org");
        u.AddCommand<UserRemoveCommand>("remove").WithExample("user", "remove", "me@example.org");
        u.AddCommand<UserListCommand>("list").WithExample("user", "list").WithExample("user", "list", "example.org", "--json");
    });
    c.AddBranch("admin", a =>
    {
        a.SetDescription("Manage dashboard administrators (a role apart from mail users; passwords stored as SCRAM-SHA-256 keys).");
        a.AddCommand<AdminAddCommand>("add").WithExample("admin", "add", "alice").WithExample("admin", "add", "alice", "--password-stdin");
        a.AddCommand<AdminPasswdCommand>("passwd").WithExample("admin", "passwd", "alice");
        a.AddCommand<AdminRemoveCommand>("remove").WithExample("admin", "remove", "alice");
        a.AddCommand<AdminListCommand>("list").WithExample("admin", "list", "--json");
    });
    c.AddBranch("domain", d =>
    {
        d.SetDescription("Manage local domains.");
        d.AddCommand<DomainAddCommand>("add").WithExample("domain", "add", "example.org");
        d.AddCommand<DomainRemoveCommand>("remove").WithExample("domain", "remove", "example.org", "--force");
        d.AddCommand<DomainListCommand>("list");
    });
    c.AddBranch("directory", d =>
    {
        d.SetDescription("The directory store itself (SQLite or a shared PostgreSQL).");
        d.AddCommand<DirectoryMigrateCommand>("migrate").WithDescription("Create or upgrade the directory's schema (idempotent).")
            .WithExample("directory", "migrate", "-c", "/etc/postbote/postbote.json");
        d.AddCommand<DirectoryExportCommand>("export").WithDescription("Write the whole directory (users with their password keys, domains, aliases, admins) as JSON.")
            .WithExample("directory", "export", "--format", "json", "-o", "directory.json");
        d.AddCommand<DirectoryImportCommand>("import").WithDescription("Add an export to this directory (all or nothing; users and admins replaced).")
            .WithExample("directory", "import", "directory.json");
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
return await app.RunAsync(rest);
