namespace Postbote.Directory;

/// <summary>One step of a directory schema: its version (1, 2, …), what it adds, and the statements that add it.</summary>
internal sealed record SchemaMigration(int Version, string Description, IReadOnlyList<string> Statements);
