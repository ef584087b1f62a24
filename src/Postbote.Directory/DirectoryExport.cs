using System.Text.Json;
using System.Text.Json.Serialization;

namespace Postbote.Directory;

/// <summary>
/// Everything a directory holds, as moved between providers by <c>postbote directory export|import</c>: domains, users
/// with their stored SCRAM keys (never a password; the CRAM-MD5 secret of users opted in is plaintext-equivalent),
/// their settings, aliases with targets in the order they were added, and the dashboard admins. The JSON form is
/// stable (sorted, indented) so that two exports of the same data are byte-identical.
/// </summary>
public sealed record DirectoryExport
{
    /// <summary>The format's name, checked on import.</summary>
    public const string FormatName = "postbote-directory";
    /// <summary>The version of this JSON shape (not the database schema).</summary>
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public IReadOnlyList<string> Domains { get; init; } = [];
    public IReadOnlyList<ExportedUser> Users { get; init; } = [];
    public IReadOnlyList<ExportedAlias> Aliases { get; init; } = [];
    public IReadOnlyList<ExportedAdmin> Admins { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads an export; throws <see cref="DirectoryException"/> for anything that is not one (this version).</summary>
    public static DirectoryExport FromJson(string json)
    {
        DirectoryExport? export;
        try
        {
            export = JsonSerializer.Deserialize<DirectoryExport>(json, Json);
        }
        catch (JsonException e)
        {
            throw new DirectoryException($"not a directory export: {e.Message}");
        }
        if (export is null || export.Format != FormatName)
            throw new DirectoryException($"not a directory export (\"format\" must be \"{FormatName}\")");
        if (export.Version != CurrentVersion)
            throw new DirectoryException($"directory export version {export.Version} is not supported (this program reads version {CurrentVersion})");
        return export;
    }
}

/// <summary>A user as stored: SCRAM keys in their stored text form.</summary>
public sealed record ExportedUser(string Address, string ScramSha256, string? ScramSha1, string? CramMd5Secret, bool AllowSendAsAnyone, long? QuotaBytes);

/// <summary>An alias source and its targets in the order they were added (resolution follows that order).</summary>
public sealed record ExportedAlias(string Source, IReadOnlyList<string> Targets);

/// <summary>A dashboard administrator as stored.</summary>
public sealed record ExportedAdmin(string Name, string ScramSha256, string Created, string Stamp);

/// <summary>What an import added or replaced.</summary>
public sealed record DirectoryImportResult(int Domains, int Users, int AliasTargets, int Admins);
