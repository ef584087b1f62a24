using System.Data.Common;
using Postbote.Core.Sasl;

namespace Postbote.Directory;

public abstract partial class SqlMailDirectory
{
    private const string UserColumns = "address, cram_md5_secret IS NOT NULL, allow_send_as_anyone, quota_bytes";

    /// <inheritdoc/>
    public async Task<MailUser> AddUserAsync(string address, string password, UserSettings? settings = null, CancellationToken cancellationToken = default)
    {
        settings ??= new UserSettings();
        var (local, domain) = DirectoryAddress.Normalize(address);
        if (settings.QuotaBytes is < 0) throw new DirectoryException("The quota cannot be negative.");
        var (sha256, sha1) = DeriveKeys(password);
        string a = local + "@" + domain;

        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await RequireLocalDomainAsync(conn, tx, domain, cancellationToken).ConfigureAwait(false);
        int added = await ExecuteAsync(conn, tx, """
            INSERT INTO users(address, domain, scram_sha256, scram_sha1, cram_md5_secret, allow_send_as_anyone, quota_bytes)
            VALUES (@a, @d, @k256, @k1, @cram, @any, @q) ON CONFLICT DO NOTHING
            """, cancellationToken,
            ("@a", a), ("@d", domain), ("@k256", sha256), ("@k1", sha1),
            ("@cram", settings.AllowCramMd5 ? password : null), ("@any", settings.AllowSendAsAnyone), ("@q", settings.QuotaBytes)).ConfigureAwait(false);
        if (added == 0) throw new DirectoryException($"The user '{a}' already exists.");
        if (local == "abuse") // a real abuse@ mailbox replaces the default alias abuse@ → postmaster@ made with the domain
            await ExecuteAsync(conn, tx, "DELETE FROM aliases WHERE source = @a AND target = @t", cancellationToken,
                ("@a", a), ("@t", "postmaster@" + domain)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new MailUser(a, settings.AllowCramMd5, settings.AllowSendAsAnyone, settings.QuotaBytes);
    }

    /// <inheritdoc/>
    public async Task<bool> SetPasswordAsync(string address, string password, bool? allowCramMd5 = null, CancellationToken cancellationToken = default)
    {
        if (!DirectoryAddress.TryNormalize(address, out var a)) return false;
        var (sha256, sha1) = DeriveKeys(password);
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        string cram = allowCramMd5 switch
        {
            true => "@pw",
            false => "NULL",
            null => "CASE WHEN cram_md5_secret IS NULL THEN NULL ELSE @pw END",
        };
        return await ExecuteAsync(conn, null,
            $"UPDATE users SET scram_sha256 = @k256, scram_sha1 = @k1, cram_md5_secret = {cram} WHERE address = @a",
            cancellationToken, ("@a", a), ("@k256", sha256), ("@k1", sha1), ("@pw", password)).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc/>
    public Task<bool> DisableCramMd5Async(string address, CancellationToken cancellationToken = default) =>
        UpdateUserAsync(address, "cram_md5_secret = NULL", null, cancellationToken);

    /// <inheritdoc/>
    public Task<bool> SetSendAsAnyoneAsync(string address, bool allow, CancellationToken cancellationToken = default) =>
        UpdateUserAsync(address, "allow_send_as_anyone = @v", allow, cancellationToken);

    /// <inheritdoc/>
    public Task<bool> SetQuotaAsync(string address, long? quotaBytes, CancellationToken cancellationToken = default)
    {
        if (quotaBytes is < 0) throw new DirectoryException("The quota cannot be negative.");
        return UpdateUserAsync(address, "quota_bytes = @v", quotaBytes, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveUserAsync(string address, CancellationToken cancellationToken = default)
    {
        if (!DirectoryAddress.TryNormalize(address, out var a)) return false;
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(conn, null, "DELETE FROM users WHERE address = @a", cancellationToken, ("@a", a)).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc/>
    public async Task<MailUser?> FindUserAsync(string address, CancellationToken cancellationToken = default)
    {
        if (!DirectoryAddress.TryNormalize(address, out var a)) return null;
        var users = await QueryUsersAsync($"SELECT {UserColumns} FROM users WHERE address = @p", a, cancellationToken).ConfigureAwait(false);
        return users.Count > 0 ? users[0] : null;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<MailUser>> ListUsersAsync(string? domain = null, CancellationToken cancellationToken = default)
    {
        if (domain is null) return await QueryUsersAsync($"SELECT {UserColumns} FROM users ORDER BY address", null, cancellationToken).ConfigureAwait(false);
        if (!DirectoryAddress.TryNormalizeDomain(domain, out var d)) return [];
        return await QueryUsersAsync($"SELECT {UserColumns} FROM users WHERE domain = @p ORDER BY address", d, cancellationToken).ConfigureAwait(false);
    }

    private (string Sha256, string Sha1) DeriveKeys(string password) => (DeriveKey(password, ScramHash.Sha256), DeriveKey(password, ScramHash.Sha1));

    /// <summary>The stored form of one SCRAM key set for <paramref name="password"/> (mail users keep two, admins one).</summary>
    private string DeriveKey(string password, ScramHash hash)
    {
        if (string.IsNullOrEmpty(password)) throw new DirectoryException("The password must not be empty.");
        try
        {
            return ScramCredentials.Derive(password, _options.PasswordIterations, hash).ToString();
        }
        catch (ArgumentException e)
        {
            throw new DirectoryException("The password is not acceptable: " + e.Message);
        }
    }

    private async Task<bool> UpdateUserAsync(string address, string assignment, object? value, CancellationToken ct)
    {
        if (!DirectoryAddress.TryNormalize(address, out var a)) return false;
        await using var conn = await OpenConnectionAsync(ct).ConfigureAwait(false);
        return await ExecuteAsync(conn, null, $"UPDATE users SET {assignment} WHERE address = @a", ct, ("@a", a), ("@v", value)).ConfigureAwait(false) > 0;
    }

    private async Task<List<MailUser>> QueryUsersAsync(string sql, string? parameter, CancellationToken ct)
    {
        await using var conn = await OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(conn, null, sql, ("@p", parameter));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var users = new List<MailUser>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            users.Add(new MailUser(reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
        return users;
    }
}
