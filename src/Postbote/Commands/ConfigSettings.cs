using System.ComponentModel;
using Postbote.Configuration;
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

    /// <summary>
    /// Loads the configuration of a command: the file, or the embedded defaults when <paramref name="file"/> is null.
    /// A configuration error is printed (each problem names its key) and null returned; the command then exits
    /// with <see cref="ExitCodes.Config"/>.
    /// </summary>
    public static ResolvedConfiguration? LoadOrReport(string? file, string program = "postbote")
    {
        try { return ConfigurationLoader.Load(file, Array.Empty<string>()); }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine(program + ": " + e.Message);
            return null;
        }
    }
}
