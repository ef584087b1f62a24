using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Filters of `postbote queue list`.</summary>
public sealed class QueueListSettings : ConfigSettings
{
    [CommandOption("--sender <TEXT>")]
    [Description("Only messages whose sender contains TEXT.")]
    public string? Sender { get; set; }

    [CommandOption("--recipient <TEXT>")]
    [Description("Only messages with a recipient containing TEXT.")]
    public string? Recipient { get; set; }

    [CommandOption("--domain <DOMAIN>")]
    [Description("Only messages with a recipient in DOMAIN.")]
    public string? Domain { get; set; }

    [CommandOption("--state <STATE>")]
    [Description("Only messages in STATE: active, deferred, hold or corrupt.")]
    public string? State { get; set; }
}
