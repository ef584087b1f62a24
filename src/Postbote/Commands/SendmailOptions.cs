namespace Postbote.Commands;

/// <summary>
/// The command line of sendmail(8) as PHP's mail(), cron, mutt, git send-email and logwatch use it, parsed the
/// getopt way (an option's value may be attached, "-fme@x", or separate, "-f me@x"). Options that only tune
/// sendmail's own delivery (-odi, -oem, -B8BITMIME, -N, -R, -V, -X...) are accepted and ignored.
/// </summary>
public sealed class SendmailOptions
{
    public bool ExtractRecipients { get; private set; }
    public bool IgnoreDots { get; private set; }
    public bool SmtpOnStdio { get; private set; }
    /// <summary>-bp: list the queue (what mailq does).</summary>
    public bool ListQueue { get; private set; }
    public bool Verbose { get; private set; }
    public bool Help { get; private set; }
    public string? Sender { get; private set; }
    public string? FullName { get; private set; }
    public string? ConfigFile { get; private set; }
    public List<string> Recipients { get; } = new();

    /// <summary>Parses; throws <see cref="FormatException"/> with a usage message for an unknown option.</summary>
    public static SendmailOptions Parse(IReadOnlyList<string> args)
    {
        var o = new SendmailOptions();
        int i = 0;
        string Value(string arg, int prefix)
        {
            if (arg.Length > prefix) return arg[prefix..];
            if (++i >= args.Count) throw new FormatException($"option {arg} needs a value");
            return args[i];
        }
        for (; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--") { i++; break; }
            if (a is "-h" or "--help") { o.Help = true; continue; }
            if (a == "--config" || a.StartsWith("--config=", StringComparison.Ordinal))
            {
                o.ConfigFile = a.Length > 8 ? a[9..] : (++i < args.Count ? args[i] : throw new FormatException("--config needs a file"));
                continue;
            }
            if (a.Length < 2 || a[0] != '-') { o.Recipients.Add(a); continue; }
            switch (a[1])
            {
                case 't': o.ExtractRecipients = true; break;
                case 'i': o.IgnoreDots = true; break;
                case 'v': o.Verbose = true; break;
                case 'f' or 'r': o.Sender = Value(a, 2); break;
                case 'F': o.FullName = Value(a, 2); break;
                case 'C': o.ConfigFile = Value(a, 2); break;
                case 'b':
                    string mode = a.Length > 2 ? a[2..] : "";
                    if (mode == "s") o.SmtpOnStdio = true;
                    else if (mode == "p") o.ListQueue = true;
                    else if (mode != "m") throw new FormatException($"-b{mode}: only -bm (deliver mail), -bs (SMTP on stdin/stdout) and -bp (list the queue) are supported");
                    break;
                case 'o':
                    if (a == "-oi") o.IgnoreDots = true;
                    else if (a == "-o") Value(a, 2); // "-o option" with a separate value: ignored
                    break;
                case 'B' or 'N' or 'R' or 'V' or 'X' or 'L' or 'h' or 'p' or 'q' when a.Length > 2: break;
                case 'B' or 'N' or 'R' or 'V' or 'X' or 'L' or 'h' or 'p': Value(a, 2); break;
                case 'U' or 'n' or 'm' or 'e' or 'G' or 'q': break;
                default: throw new FormatException($"unknown option {a}");
            }
        }
        for (; i < args.Count; i++) o.Recipients.Add(args[i]);
        // "a@x, b@y" as one argument (mail(1) and some scripts do this)
        var split = o.Recipients.SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        o.Recipients.Clear();
        o.Recipients.AddRange(split);
        return o;
    }

    public const string Usage = """
        usage: postbote sendmail [options] [recipient ...]   (the sendmail(8) interface; reads the message on stdin)
          -t            take recipients from the To, Cc and Bcc headers too (Bcc is removed from the message)
          -i, -oi       a line with a single "." does not end the message
          -f SENDER     envelope sender (also -r); "<>" for the null sender
          -F NAME       full name for the From header when the message has none
          -bm           read a message and queue it (the default)
          -bs           speak SMTP on stdin/stdout (a trusted local submission)
          -bp           list the queue, as mailq does
          -v            say where the message went
          -C, --config FILE   Postbote's configuration file
          ignored: -odi -odb -oem -oee -o* -B* -N* -R* -V* -X* -U -n -m
        exit codes: 0 queued, 64 usage, 65 bad address or message, 69 unavailable, 75 try again later
        examples:
          echo "Subject: test" | postbote sendmail -t -i        (with "To: you@example.net" in the headers)
          postbote sendmail -f me@example.org you@example.net < message.eml
          php -d sendmail_path="postbote sendmail -t -i" -r 'mail("you@example.net", "hi", "body");'
        """;
}
