using Postbote.Configuration;
using Postbote.Directory;
using Postbote.Hosting;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Base of the user/domain/alias commands: opens the directory database named by the configuration.</summary>
public abstract class DirectoryCommandBase<TSettings> : AsyncCommand<TSettings> where TSettings : ConfigSettings
{
    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        if (ConfigSettings.LoadOrReport(settings.ConfigFile) is not { } config) return ExitCodes.Config;
        try
        {
            using var directory = await ServerHost.OpenDirectoryAsync(config, Migrate);
            return await RunAsync(directory, settings, cancellationToken);
        }
        catch (DirectoryException e)
        {
            await Console.Error.WriteLineAsync("postbote: " + e.Message);
            return ExitCodes.DataError;
        }
    }

    /// <summary>Whether to migrate the schema on open even without Directory:MigrateOnStart (`directory migrate`).</summary>
    protected virtual bool Migrate => false;

    protected abstract Task<int> RunAsync(SqlMailDirectory directory, TSettings settings, CancellationToken ct);

    /// <summary>The exit of a change to one named entry: <paramref name="done"/> on stdout, or "no such ..." and exit 66.</summary>
    protected static async Task<int> ReportAsync(bool found, string missing, string done)
    {
        if (!found)
        {
            await Console.Error.WriteLineAsync("postbote: no such " + missing);
            return ExitCodes.NoInput;
        }
        Console.WriteLine(done);
        return ExitCodes.Ok;
    }

    protected static string? ReadPassword(bool fromStdin)
    {
        if (fromStdin || Console.IsInputRedirected)
        {
            var line = Console.In.ReadLine();
            return line?.TrimEnd('\r', '\n');
        }
        Console.Error.Write("Password: ");
        var first = ReadHidden();
        Console.Error.Write("Again: ");
        var second = ReadHidden();
        if (first != second)
        {
            Console.Error.WriteLine("postbote: the passwords differ");
            return null;
        }
        return first;
    }

    private static string ReadHidden()
    {
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (sb.Length > 0) sb.Length--; continue; }
            sb.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return sb.ToString();
    }
}
