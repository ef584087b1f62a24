using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Settings of `postbote dkim remove DOMAIN SELECTOR`.</summary>
public sealed class DkimRemoveSettings : DkimDomainSettings
{
    [CommandArgument(1, "<SELECTOR>")]
    [Description("The selector of the key to remove (postbote dkim list).")]
    public string Selector { get; set; } = "";
}
