using Postbote.Configuration;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>`postbote check-config`: loads the configuration and prints every problem, naming the key.</summary>
public sealed class CheckConfigCommand : Command<ConfigSettings>
{
    public override int Execute(CommandContext context, ConfigSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var config = ConfigurationLoader.Load(settings.ConfigFile, Array.Empty<string>());
            if (settings.Json)
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { ok = true, problems = Array.Empty<string>() }));
            else
                Console.WriteLine($"configuration OK: hostname {config.Server.Hostname}, {config.Listeners.Count} listeners, domains {string.Join(", ", config.Server.LocalDomains)}");
            return ExitCodes.Ok;
        }
        catch (ConfigurationException e)
        {
            if (settings.Json)
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { ok = false, problems = e.Problems }));
            else
                foreach (var p in e.Problems) Console.Error.WriteLine("error: " + p);
            return ExitCodes.Config;
        }
    }
}
