using System.Text.Json;
using Postbote.Directory;

namespace Postbote.Commands;

/// <summary>
/// `postbote directory migrate`: creates or upgrades the directory's schema to this program's version (versioned,
/// idempotent: a second run applies nothing; several nodes running it at once are serialised by the database).
/// </summary>
public sealed class DirectoryMigrateCommand : DirectoryCommandBase<ConfigSettings>
{
    protected override bool Migrate => true;

    protected override async Task<int> RunAsync(SqlMailDirectory directory, ConfigSettings s, CancellationToken ct)
    {
        int version = await directory.SchemaVersionAsync(ct);
        if (s.Json)
            Console.WriteLine(JsonSerializer.Serialize(new { provider = directory.Provider, version, applied = directory.AppliedOnOpen }));
        else if (directory.AppliedOnOpen.Count == 0)
            Console.WriteLine($"directory ({directory.Provider}): schema version {version} is current, nothing to do");
        else
            Console.WriteLine($"directory ({directory.Provider}): applied schema version(s) {string.Join(", ", directory.AppliedOnOpen)}; now at version {version}");
        return ExitCodes.Ok;
    }
}
