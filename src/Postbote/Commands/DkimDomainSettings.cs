using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Settings of `postbote dkim show|rotate DOMAIN`.</summary>
public class DkimDomainSettings : ConfigSettings
{
    [CommandArgument(0, "<DOMAIN>")]
    [Description("The signing domain (d=), e.g. example.org.")]
    public string Domain { get; set; } = "";
}
