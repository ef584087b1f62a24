using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Settings of `postbote dns route`.</summary>
public sealed class DnsRouteSettings : DnsQuerySettings
{
    [CommandArgument(0, "<DOMAIN>")]
    [Description("Destination domain, e.g. example.net.")]
    public string Domain { get; set; } = "";
}
