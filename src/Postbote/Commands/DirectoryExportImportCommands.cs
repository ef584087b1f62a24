using System.ComponentModel;
using Postbote.Directory;
using Spectre.Console.Cli;

namespace Postbote.Commands;

public sealed class DirectoryExportSettings : ConfigSettings
{
    [CommandOption("--format <FORMAT>")]
    [Description("Output format: json (the only one).")]
    public string Format { get; set; } = "json";

    [CommandOption("-o|--output <FILE>")]
    [Description("Write to FILE (created 0600: it holds password keys) instead of standard output.")]
    public string? Output { get; set; }
}

/// <summary>
/// `postbote directory export [--format json] [-o FILE]`: the whole directory (domains, users with their stored SCRAM
/// keys and settings, aliases, dashboard admins) as JSON, to move it to another provider with `directory import`.
/// </summary>
public sealed class DirectoryExportCommand : DirectoryCommandBase<DirectoryExportSettings>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, DirectoryExportSettings s, CancellationToken ct)
    {
        if (!string.Equals(s.Format, "json", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"postbote: --format {s.Format} is not supported (json)");
            return ExitCodes.Usage;
        }
        var json = (await directory.ExportAsync(ct)).ToJson() + "\n";
        if (s.Output is null)
        {
            await Console.Out.WriteAsync(json);
            return ExitCodes.Ok;
        }
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var file = new FileStream(s.Output, options))
        await using (var writer = new StreamWriter(file))
            await writer.WriteAsync(json);
        await Console.Error.WriteLineAsync($"directory ({directory.Provider}) exported to {s.Output}");
        return ExitCodes.Ok;
    }
}

public sealed class DirectoryImportSettings : ConfigSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("An export written by `postbote directory export`; - reads standard input.")]
    public string File { get; set; } = "";
}

/// <summary>`postbote directory import FILE`: adds an export to the configured directory, all or nothing.</summary>
public sealed class DirectoryImportCommand : DirectoryCommandBase<DirectoryImportSettings>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, DirectoryImportSettings s, CancellationToken ct)
    {
        string json;
        try
        {
            json = s.File == "-" ? await Console.In.ReadToEndAsync(ct) : await System.IO.File.ReadAllTextAsync(s.File, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"postbote: cannot read {s.File}: {e.Message}");
            return ExitCodes.NoInput;
        }
        var result = await directory.ImportAsync(DirectoryExport.FromJson(json), ct);
        Console.WriteLine($"directory ({directory.Provider}): imported {result.Users} user(s), {result.Admins} admin(s), " +
            $"{result.Domains} new domain(s), {result.AliasTargets} new alias target(s)");
        return ExitCodes.Ok;
    }
}
