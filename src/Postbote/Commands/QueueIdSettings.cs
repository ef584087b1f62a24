using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Settings of the queue commands that act on one message.</summary>
public sealed class QueueIdSettings : ConfigSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("Queue id, as `postbote queue list` shows it.")]
    public string Id { get; set; } = "";
}
