using System.ComponentModel;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Options every command that reads the configuration takes.</summary>
public class ConfigSettings : CommandSettings
{
    [CommandOption("-c|--config <FILE>")]
    [Description("Configuration file (JSON, comments allowed). Without one, the embedded defaults are used.")]
    public string? ConfigFile { get; set; }

    [CommandOption("--json")]
    [Description("Machine-readable output.")]
    public bool Json { get; set; }
}
