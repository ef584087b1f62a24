using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Settings of `postbote queue delete`.</summary>
public sealed class QueueDeleteSettings : ConfigSettings
{
    [CommandArgument(0, "[IDS]")]
    [Description("Queue ids to delete.")]
    public string[] Ids { get; set; } = [];

    [CommandOption("--all")]
    [Description("Delete every message in the queue (postsuper -d ALL).")]
    public bool All { get; set; }

    [CommandOption("-y|--yes")]
    [Description("Do not ask for confirmation.")]
    public bool Yes { get; set; }
}
