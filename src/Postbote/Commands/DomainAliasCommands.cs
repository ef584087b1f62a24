using System.ComponentModel;
using System.Text.Json;
using Postbote.Directory;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Postbote.Commands;

public sealed class DomainArgs : ConfigSettings
{
    [CommandArgument(0, "<DOMAIN>")]
    public string Domain { get; set; } = "";

    [CommandOption("--force")]
    [Description("Remove the domain's users and aliases too.")]
    public bool Force { get; set; }
}

/// <summary>`postbote domain add DOMAIN`.</summary>
public sealed class DomainAddCommand : DirectoryCommandBase<DomainArgs>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, DomainArgs s, CancellationToken ct)
    {
        bool added = await directory.AddDomainAsync(s.Domain, ct);
        Console.WriteLine(added ? $"domain {s.Domain} added" : $"domain {s.Domain} was already local");
        return ExitCodes.Ok;
    }
}

/// <summary>`postbote domain remove DOMAIN [--force]`.</summary>
public sealed class DomainRemoveCommand : DirectoryCommandBase<DomainArgs>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, DomainArgs s, CancellationToken ct)
    {
        if (!await directory.RemoveDomainAsync(s.Domain, s.Force, ct))
        {
            await Console.Error.WriteLineAsync($"postbote: {s.Domain} is not a local domain");
            return ExitCodes.NoInput;
        }
        Console.WriteLine($"domain {s.Domain} removed");
        return ExitCodes.Ok;
    }
}

/// <summary>`postbote domain list`.</summary>
public sealed class DomainListCommand : DirectoryCommandBase<ConfigSettings>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, ConfigSettings s, CancellationToken ct)
    {
        var domains = await directory.ListDomainsAsync(ct);
        Console.WriteLine(s.Json ? JsonSerializer.Serialize(domains) : string.Join(Environment.NewLine, domains));
        return ExitCodes.Ok;
    }
}

public sealed class AliasArgs : ConfigSettings
{
    [CommandArgument(0, "<SOURCE>")]
    [Description("local@domain, or @domain for a catch-all.")]
    public string Source { get; set; } = "";

    [CommandArgument(1, "[TARGETS]")]
    [Description("Target addresses (local users or external).")]
    public string[] Targets { get; set; } = Array.Empty<string>();
}

/// <summary>`postbote alias add SOURCE TARGET...`.</summary>
public sealed class AliasAddCommand : DirectoryCommandBase<AliasArgs>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, AliasArgs s, CancellationToken ct)
    {
        if (s.Targets.Length == 0) { await Console.Error.WriteLineAsync("postbote: give at least one target"); return ExitCodes.Usage; }
        int added = await directory.AddAliasAsync(s.Source, s.Targets, ct);
        Console.WriteLine($"alias {s.Source}: {added} target(s) added");
        return ExitCodes.Ok;
    }
}

/// <summary>`postbote alias remove SOURCE [TARGET]`.</summary>
public sealed class AliasRemoveCommand : DirectoryCommandBase<AliasArgs>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, AliasArgs s, CancellationToken ct)
    {
        int removed = await directory.RemoveAliasAsync(s.Source, s.Targets.FirstOrDefault(), ct);
        if (removed == 0) { await Console.Error.WriteLineAsync($"postbote: no such alias: {s.Source}"); return ExitCodes.NoInput; }
        Console.WriteLine($"alias {s.Source}: {removed} target(s) removed");
        return ExitCodes.Ok;
    }
}

/// <summary>`postbote alias list [DOMAIN]`.</summary>
public sealed class AliasListCommand : DirectoryCommandBase<ListSettings>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, ListSettings s, CancellationToken ct)
    {
        var aliases = await directory.ListAliasesAsync(s.Domain, ct);
        if (s.Json) { Console.WriteLine(JsonSerializer.Serialize(aliases)); return ExitCodes.Ok; }
        var table = new Table().AddColumns("Alias", "Targets");
        foreach (var a in aliases) table.AddRow(Markup.Escape(a.Source), Markup.Escape(string.Join(", ", a.Targets)));
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}

public sealed class AliasImportArgs : ConfigSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("An aliases file in the classic /etc/aliases format.")]
    public string File { get; set; } = "";

    [CommandArgument(1, "<DOMAIN>")]
    [Description("The local domain the names belong to.")]
    public string Domain { get; set; } = "";
}

/// <summary>`postbote alias import FILE DOMAIN`.</summary>
public sealed class AliasImportCommand : DirectoryCommandBase<AliasImportArgs>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, AliasImportArgs s, CancellationToken ct)
    {
        if (!System.IO.File.Exists(s.File)) { await Console.Error.WriteLineAsync($"postbote: {s.File} does not exist"); return ExitCodes.NoInput; }
        using var reader = new StreamReader(s.File);
        var result = await directory.ImportAliasesAsync(reader, s.Domain, ct);
        foreach (var w in result.Warnings) await Console.Error.WriteLineAsync("warning: " + w);
        Console.WriteLine($"imported {result.AliasesImported} aliases ({result.TargetsImported} targets)");
        return ExitCodes.Ok;
    }
}
