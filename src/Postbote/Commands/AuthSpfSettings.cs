using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Settings of `postbote auth spf`.</summary>
public sealed class AuthSpfSettings : DnsQuerySettings
{
    [CommandOption("--ip <IP>")]
    [Description("The SMTP client's address (IPv4 or IPv6).")]
    public string? Ip { get; set; }

    [CommandOption("--helo <NAME>")]
    [Description("The name the client gave in HELO/EHLO; checked instead of the sender for the null sender.")]
    public string? Helo { get; set; }

    [CommandOption("--mail-from <ADDR>")]
    [Description("The MAIL FROM address (without brackets); empty or \"<>\" for the null sender.")]
    public string? MailFrom { get; set; }
}
