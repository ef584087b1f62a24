using System.Data.Common;
using Postbote.Core.Sasl;

namespace Postbote.Directory;

public abstract partial class SqlMailDirectory
{
    /// <summary>Reads the whole directory, in one transaction (a consistent snapshot), sorted.</summary>
    public async Task<DirectoryExport> ExportAsync(CancellationToken cancellationToken = default)
    {
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var domains = new List<string>();
        await ReadAsync(conn, tx, "SELECT name FROM domains ORDER BY name", r => domains.Add(r.GetString(0)), cancellationToken).ConfigureAwait(false);
        var users = new List<ExportedUser>();
        await ReadAsync(conn, tx,
            "SELECT address, scram_sha256, scram_sha1, cram_md5_secret, allow_send_as_anyone, quota_bytes FROM users ORDER BY address",
            r => users.Add(new ExportedUser(r.GetString(0), r.GetString(1), NullableString(r, 2), NullableString(r, 3), r.GetBoolean(4),
                r.IsDBNull(5) ? null : r.GetInt64(5))), cancellationToken).ConfigureAwait(false);
        var aliases = new List<ExportedAlias>();
        List<string>? targets = null;
        await ReadAsync(conn, tx, $"SELECT source, target FROM aliases ORDER BY source, {_aliasInsertionOrder}", r =>
        {
            string source = r.GetString(0);
            if (aliases.Count == 0 || aliases[^1].Source != source) aliases.Add(new ExportedAlias(source, targets = new List<string>()));
            targets!.Add(r.GetString(1));
        }, cancellationToken).ConfigureAwait(false);
        var admins = new List<ExportedAdmin>();
        await ReadAsync(conn, tx, "SELECT name, scram_sha256, created, stamp FROM admins ORDER BY name",
            r => admins.Add(new ExportedAdmin(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3))), cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new DirectoryExport { Domains = domains, Users = users, Aliases = aliases, Admins = admins };
    }

    /// <summary>
    /// Adds an export to this directory in one transaction (all or nothing): domains and alias targets are added where
    /// missing, users and admins are added or replaced (keys, flags, quota) by the exported ones. Every entry is checked
    /// first (addresses, domains local in the export or here, SCRAM keys well-formed); a bad one refuses the whole import
    /// naming it. Importing the same export twice leaves the directory as after the first.
    /// </summary>
    public async Task<DirectoryImportResult> ImportAsync(DirectoryExport export, CancellationToken cancellationToken = default)
    {
        var domains = export.Domains.Select(d => DirectoryAddress.TryNormalizeDomain(d, out var n) ? n : throw Bad("domain", d)).ToList();
        foreach (var u in export.Users)
        {
            if (!DirectoryAddress.TryNormalize(u.Address, out var a) || a != u.Address) throw Bad("user", u.Address);
            if (ScramKeys.Parse(u.ScramSha256) is not { Hash: ScramHash.Sha256 }) throw Bad("user", u.Address, "scram_sha256");
            if (u.ScramSha1 is not null && ScramKeys.Parse(u.ScramSha1) is not { Hash: ScramHash.Sha1 }) throw Bad("user", u.Address, "scram_sha1");
            if (u.QuotaBytes is < 0) throw Bad("user", u.Address, "quota_bytes");
        }
        foreach (var alias in export.Aliases)
        {
            if (!DirectoryAddress.TryNormalize(alias.Source, true, out var l, out var d) || l + "@" + d != alias.Source) throw Bad("alias", alias.Source);
            foreach (var t in alias.Targets)
                if (!DirectoryAddress.TryNormalize(t, out _)) throw Bad("alias", alias.Source, "target " + t);
        }
        foreach (var admin in export.Admins)
            if (NormalizeAdminName(admin.Name) != admin.Name || ScramKeys.Parse(admin.ScramSha256) is not { Hash: ScramHash.Sha256 }) throw Bad("admin", admin.Name);

        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int domainsAdded = 0, users = 0, targets = 0, admins = 0;
        foreach (var d in domains)
            domainsAdded += await ExecuteAsync(conn, tx, "INSERT INTO domains(name) VALUES (@d) ON CONFLICT DO NOTHING", cancellationToken, ("@d", d)).ConfigureAwait(false);
        foreach (var u in export.Users)
        {
            string domain = u.Address[(u.Address.LastIndexOf('@') + 1)..];
            await RequireImportedDomainAsync(conn, tx, domain, "user " + u.Address, cancellationToken).ConfigureAwait(false);
            users += await ExecuteAsync(conn, tx, """
                INSERT INTO users(address, domain, scram_sha256, scram_sha1, cram_md5_secret, allow_send_as_anyone, quota_bytes)
                VALUES (@a, @d, @k256, @k1, @cram, @any, @q)
                ON CONFLICT (address) DO UPDATE SET scram_sha256 = excluded.scram_sha256, scram_sha1 = excluded.scram_sha1,
                    cram_md5_secret = excluded.cram_md5_secret, allow_send_as_anyone = excluded.allow_send_as_anyone, quota_bytes = excluded.quota_bytes
                """, cancellationToken, ("@a", u.Address), ("@d", domain), ("@k256", u.ScramSha256), ("@k1", u.ScramSha1),
                ("@cram", u.CramMd5Secret), ("@any", u.AllowSendAsAnyone), ("@q", u.QuotaBytes)).ConfigureAwait(false);
        }
        foreach (var alias in export.Aliases)
        {
            string domain = alias.Source[(alias.Source.LastIndexOf('@') + 1)..];
            await RequireImportedDomainAsync(conn, tx, domain, "alias " + alias.Source, cancellationToken).ConfigureAwait(false);
            targets += await InsertAliasTargetsAsync(conn, tx, alias.Source, domain, alias.Targets.ToList(), cancellationToken).ConfigureAwait(false);
        }
        foreach (var admin in export.Admins)
            admins += await ExecuteAsync(conn, tx, """
                INSERT INTO admins(name, scram_sha256, created, stamp) VALUES (@n, @k, @c, @s)
                ON CONFLICT (name) DO UPDATE SET scram_sha256 = excluded.scram_sha256, created = excluded.created, stamp = excluded.stamp
                """, cancellationToken, ("@n", admin.Name), ("@k", admin.ScramSha256), ("@c", admin.Created), ("@s", admin.Stamp)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        DomainsChanged();
        return new DirectoryImportResult(domainsAdded, users, targets, admins);
    }

    private static async Task RequireImportedDomainAsync(DbConnection conn, DbTransaction tx, string domain, string entry, CancellationToken ct)
    {
        if (!await DomainExistsAsync(conn, tx, domain, ct).ConfigureAwait(false))
            throw new DirectoryException($"import refused: {entry}: the domain '{domain}' is neither in the export nor local here");
    }

    private static DirectoryException Bad(string kind, string? name, string? field = null) =>
        new($"import refused: {kind} '{name}'{(field is null ? "" : ": " + field)} is not valid (nothing was imported)");

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static async Task ReadAsync(DbConnection conn, DbTransaction tx, string sql, Action<DbDataReader> row, CancellationToken ct)
    {
        await using var cmd = Command(conn, tx, sql);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) row(reader);
    }
}
