using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Admin;
using Postbote.Configuration;
using Postbote.Core.Envelope;
using Postbote.Queue;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>
/// Base of the queue commands: talks to the running server through its admin socket, or works on the spool
/// files when the server is stopped. Maps the outcome of an operation to a message and a sysexits code.
/// </summary>
public abstract class QueueCommandBase<TSettings> : AsyncCommand<TSettings> where TSettings : ConfigSettings
{
    protected static readonly JsonSerializerOptions JsonOutput = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        if (ConfigSettings.LoadOrReport(settings.ConfigFile) is not { } config) return ExitCodes.Config;
        // Piped into a file or another program, tables get room instead of the 80-column default.
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 240;
        try
        {
            using var client = await AdminClient.TryConnectAsync(AdminSockets.AdminPath(config), cancellationToken);
            IQueueControl control = client is not null ? client
                : new SpoolQueueControl(new Spool(config.QueueDirectory, TimeProvider.System, NullLogger<Spool>.Instance), manager: null);
            return await RunAsync(control, settings, cancellationToken);
        }
        catch (UnauthorizedAccessException e)
        {
            await Console.Error.WriteLineAsync("postbote: " + e.Message);
            return ExitCodes.NoPermission;
        }
        catch (AdminException e)
        {
            await Console.Error.WriteLineAsync("postbote: " + e.Message);
            return ExitCodes.Unavailable;
        }
    }

    protected abstract Task<int> RunAsync(IQueueControl queue, TSettings settings, CancellationToken ct);

    /// <summary>Checks a queue id given on the command line; prints the error and returns false when it is not one.</summary>
    protected static bool ValidId(string id)
    {
        if (QueueId.IsValid(id)) return true;
        Console.Error.WriteLine($"postbote: '{id}' is not a queue id (12 characters, as `postbote queue list` shows them)");
        return false;
    }

    /// <summary>Prints what an operation on one message did and returns the exit code.</summary>
    protected static int Report(QueueOpOutcome outcome, string id, string doneText, bool json, string wrongState = "is not in a state this applies to")
    {
        if (json) Console.WriteLine(JsonSerializer.Serialize(new { id, outcome = outcome.ToString().ToLowerInvariant() }, JsonOutput));
        switch (outcome)
        {
            case QueueOpOutcome.Done:
                if (!json) Console.WriteLine($"{id}: {doneText}");
                return ExitCodes.Ok;
            case QueueOpOutcome.NotFound:
                Console.Error.WriteLine($"postbote: {id}: no such message in the queue");
                return ExitCodes.NoInput;
            case QueueOpOutcome.WrongState:
                Console.Error.WriteLine($"postbote: {id}: {wrongState}");
                return ExitCodes.DataError;
            default:
                Console.Error.WriteLine($"postbote: {id}: the server is not running; start it (postbote serve) and try again");
                return ExitCodes.Unavailable;
        }
    }
}
