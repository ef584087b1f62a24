using Microsoft.Extensions.DependencyInjection;
using Postbote.Configuration;
using Postbote.Hosting;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>`postbote serve`: runs the server until SIGTERM/SIGINT.</summary>
public sealed class ServeCommand : AsyncCommand<ConfigSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ConfigSettings settings, CancellationToken cancellationToken)
    {
        if (ConfigSettings.LoadOrReport(settings.ConfigFile) is not { } config) return ExitCodes.Config;
        try
        {
            await using var app = await ServerHost.BuildAsync(config);
            var spool = app.Services.GetRequiredService<Postbote.Queue.Spool>();
            await app.RunAsync(); // stops and disposes the host
            // Every listener and the queue manager have stopped: no commit is in flight.
            await spool.MarkCleanStopAsync(TimeSpan.FromSeconds(10));
            return 0;
        }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"postbote: cannot listen: {e.Message} (Listeners: check the endpoints, and that the ports are free and may be bound by this user)");
            return ExitCodes.OsError;
        }
        catch (Postbote.Directory.DirectoryException e)
        {
            await Console.Error.WriteLineAsync("postbote: " + e.Message);
            return ExitCodes.Unavailable;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("postbote: " + e.Message);
            return ExitCodes.Config;
        }
    }
}
