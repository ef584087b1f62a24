using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Options of `postbote send` (named as swaks names them).</summary>
public sealed class SendSettings : CommandSettings
{
    [CommandOption("-s|--server <HOST[:PORT]>")]
    [Description("Server to send to (default localhost; port 25, or 465 with --tls).")]
    public string Server { get; set; } = "localhost";

    [CommandOption("--starttls")]
    [Description("Send STARTTLS after EHLO; fail if it is not offered.")]
    public bool StartTls { get; set; }

    [CommandOption("--tls")]
    [Description("TLS from the first byte (port 465).")]
    public bool ImplicitTls { get; set; }

    [CommandOption("-a|--auth [MECH]")]
    [Description("Authenticate; with no MECH the strongest one offered (SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN).")]
    public FlagValue<string>? Auth { get; set; }

    [CommandOption("-u|--user <USER>")]
    public string? User { get; set; }

    [CommandOption("--password-stdin")]
    [Description("Read the AUTH password from the first line of standard input.")]
    public bool PasswordStdin { get; set; }

    [CommandOption("-f|--from <ADDRESS>")]
    public string? From { get; set; }

    [CommandOption("-t|--to <ADDRESS>")]
    [Description("Recipient; repeat for several.")]
    public string[] To { get; set; } = [];

    [CommandOption("--header <FIELD>")]
    [Description("Extra header, e.g. \"Subject: hello\" (replaces the default of that name); repeatable.")]
    public string[] Headers { get; set; } = [];

    [CommandOption("--body <TEXT>")]
    public string? Body { get; set; }

    [CommandOption("-d|--data <TEXT|@FILE>")]
    [Description("The whole message (headers and body), or @FILE to read it from a file.")]
    public string? Data { get; set; }

    [CommandOption("--ehlo <NAME>")]
    public string? Ehlo { get; set; }

    [CommandOption("--pipelining")]
    [Description("Send MAIL, RCPT and DATA in one go when the server offers PIPELINING (RFC 2920).")]
    public bool Pipelining { get; set; }
}
