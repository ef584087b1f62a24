using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Settings of `postbote queue flush`.</summary>
public sealed class QueueFlushSettings : ConfigSettings
{
    [CommandArgument(0, "[ID]")]
    [Description("Flush only this message (postqueue -i).")]
    public string? Id { get; set; }

    [CommandOption("--domain <DOMAIN>")]
    [Description("Flush only messages with a pending recipient in DOMAIN (postqueue -s).")]
    public string? Domain { get; set; }
}
