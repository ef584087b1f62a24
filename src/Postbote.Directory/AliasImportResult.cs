namespace Postbote.Directory;

/// <summary>What an /etc/aliases import did.</summary>
/// <param name="AliasesImported">Number of alias names that got at least one target.</param>
/// <param name="TargetsImported">Number of (source, target) pairs stored.</param>
/// <param name="Warnings">Lines or targets skipped, with line numbers (":include:", "|command", "/file", syntax errors).</param>
public sealed record AliasImportResult(int AliasesImported, int TargetsImported, IReadOnlyList<string> Warnings);
