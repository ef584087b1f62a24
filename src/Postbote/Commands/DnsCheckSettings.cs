using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Settings of `postbote dns check`.</summary>
public sealed class DnsCheckSettings : DnsQuerySettings
{
    [CommandArgument(0, "<DOMAIN>")]
    [Description("Sending domain, e.g. example.org.")]
    public string Domain { get; set; } = "";

    [CommandOption("--ip <IP>")]
    [Description("An address mail leaves from (repeat for several). Default: the addresses of Hostname.")]
    public string[]? Ip { get; set; }
}
