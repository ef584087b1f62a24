using System.Data.Common;

namespace Postbote.Directory;

public abstract partial class SqlMailDirectory
{
    /// <inheritdoc/>
    public async Task<int> AddAliasAsync(string source, IEnumerable<string> targets, CancellationToken cancellationToken = default)
    {
        var (local, domain) = DirectoryAddress.Normalize(source, allowCatchAll: true);
        var normalizedTargets = new List<string>();
        foreach (var t in targets)
        {
            if (!DirectoryAddress.TryNormalize(t, out var n)) throw new DirectoryException($"The alias target '{t}' is not a valid address.");
            normalizedTargets.Add(n);
        }
        if (normalizedTargets.Count == 0) throw new DirectoryException("An alias needs at least one target.");

        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await RequireLocalDomainAsync(conn, tx, domain, cancellationToken).ConfigureAwait(false);
        int added = await InsertAliasTargetsAsync(conn, tx, local + "@" + domain, domain, normalizedTargets, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <inheritdoc/>
    public async Task<int> RemoveAliasAsync(string source, string? target = null, CancellationToken cancellationToken = default)
    {
        if (!DirectoryAddress.TryNormalize(source, true, out var local, out var domain)) return 0;
        string s = local + "@" + domain;
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (target is null)
            return await ExecuteAsync(conn, null, "DELETE FROM aliases WHERE source = @s", cancellationToken, ("@s", s)).ConfigureAwait(false);
        if (!DirectoryAddress.TryNormalize(target, out var t)) return 0;
        return await ExecuteAsync(conn, null, "DELETE FROM aliases WHERE source = @s AND target = @t", cancellationToken, ("@s", s), ("@t", t)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<MailAlias>> ListAliasesAsync(string? domain = null, CancellationToken cancellationToken = default)
    {
        string? d = null;
        if (domain is not null && !DirectoryAddress.TryNormalizeDomain(domain, out d)) return [];
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = d is null
            ? Command(conn, null, "SELECT source, target FROM aliases ORDER BY source, target")
            : Command(conn, null, "SELECT source, target FROM aliases WHERE domain = @d ORDER BY source, target", ("@d", d));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<MailAlias>();
        List<string>? targets = null;
        string? current = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string source = reader.GetString(0);
            if (source != current)
            {
                current = source;
                targets = new List<string>();
                result.Add(new MailAlias(source, targets));
            }
            targets!.Add(reader.GetString(1));
        }
        return result;
    }

    /// <inheritdoc/>
    public async Task<AliasImportResult> ImportAliasesAsync(TextReader aliasesFile, string domain, CancellationToken cancellationToken = default)
    {
        string d = DirectoryAddress.NormalizeDomain(domain);
        var warnings = new List<string>();
        var entries = EtcAliasesParser.Parse(aliasesFile, warnings);

        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await RequireLocalDomainAsync(conn, tx, d, cancellationToken).ConfigureAwait(false);
        int aliases = 0, targetsAdded = 0;
        foreach (var entry in entries)
        {
            string name = entry.Name.Contains('@') ? entry.Name : entry.Name + "@" + d;
            if (!DirectoryAddress.TryNormalize(name, out var source) || !source.EndsWith("@" + d, StringComparison.Ordinal))
            {
                warnings.Add($"line {entry.Line}: alias name '{entry.Name}' is not a local part of {d}; skipped");
                continue;
            }
            var targets = new List<string>();
            foreach (var value in entry.Values)
            {
                if (value.StartsWith(":include:", StringComparison.OrdinalIgnoreCase))
                    warnings.Add($"line {entry.Line}: {entry.Name}: ':include:' target '{value}' not supported; skipped");
                else if (value.StartsWith('|'))
                    warnings.Add($"line {entry.Line}: {entry.Name}: pipe target '{value}' not supported; skipped");
                else if (value.StartsWith('/'))
                    warnings.Add($"line {entry.Line}: {entry.Name}: file target '{value}' not supported; skipped");
                else if (DirectoryAddress.TryNormalize(value.Contains('@') ? value : value + "@" + d, out var target))
                    targets.Add(target);
                else
                    warnings.Add($"line {entry.Line}: {entry.Name}: target '{value}' is not an address; skipped");
            }
            if (targets.Count == 0) continue;
            aliases++;
            targetsAdded += await InsertAliasTargetsAsync(conn, tx, source, d, targets, cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new AliasImportResult(aliases, targetsAdded, warnings);
    }

    private static async Task<int> InsertAliasTargetsAsync(DbConnection conn, DbTransaction tx, string source, string domain, List<string> targets, CancellationToken ct)
    {
        int added = 0;
        foreach (var t in targets)
        {
            added += await ExecuteAsync(conn, tx, "INSERT INTO aliases(source, domain, target) VALUES (@s, @d, @t) ON CONFLICT DO NOTHING", ct,
                ("@s", source), ("@d", domain), ("@t", t)).ConfigureAwait(false);
        }
        return added;
    }
}
