using System.Globalization;
using System.Security.Cryptography;
using Postbote.Core.Sasl;

namespace Postbote.Directory;

public abstract partial class SqlMailDirectory : IAdminAccounts
{
    private const int MaxAdminNameLength = 64;

    /// <inheritdoc/>
    public async Task<AdminAccount> AddAdminAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        string n = NormalizeAdminName(name) ?? throw new DirectoryException(
            $"'{name}' is not an admin name: 1 to {MaxAdminNameLength} characters of a-z, 0-9, '.', '_', '-'.");
        var keys = DeriveKey(password, ScramHash.Sha256);
        var account = new AdminAccount(n, DateTimeOffset.UtcNow, NewStamp());
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        int added = await ExecuteAsync(conn, null,
            "INSERT INTO admins(name, scram_sha256, created, stamp) VALUES (@n, @k, @c, @s) ON CONFLICT DO NOTHING", cancellationToken,
            ("@n", n), ("@k", keys), ("@c", account.Created.ToString("O", CultureInfo.InvariantCulture)), ("@s", account.Stamp)).ConfigureAwait(false);
        if (added == 0) throw new DirectoryException($"The admin '{n}' already exists.");
        return account;
    }

    /// <inheritdoc/>
    public async Task<bool> SetAdminPasswordAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        if (NormalizeAdminName(name) is not { } n) return false;
        var keys = DeriveKey(password, ScramHash.Sha256);
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(conn, null, "UPDATE admins SET scram_sha256 = @k, stamp = @s WHERE name = @n", cancellationToken,
            ("@n", n), ("@k", keys), ("@s", NewStamp())).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAdminAsync(string name, CancellationToken cancellationToken = default)
    {
        if (NormalizeAdminName(name) is not { } n) return false;
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(conn, null, "DELETE FROM admins WHERE name = @n", cancellationToken, ("@n", n)).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AdminAccount>> ListAdminsAsync(CancellationToken cancellationToken = default) =>
        (await QueryAdminsAsync("SELECT name, created, stamp, scram_sha256 FROM admins ORDER BY name", null, cancellationToken).ConfigureAwait(false))
        .Select(a => a.Account).ToList();

    /// <inheritdoc/>
    public async Task<AdminAccount?> FindAdminAsync(string name, CancellationToken cancellationToken = default)
    {
        if (NormalizeAdminName(name) is not { } n) return null;
        var found = await QueryAdminsAsync("SELECT name, created, stamp, scram_sha256 FROM admins WHERE name = @n", n, cancellationToken).ConfigureAwait(false);
        return found.Count > 0 ? found[0].Account : null;
    }

    /// <inheritdoc/>
    public async Task<AdminAccount?> VerifyAdminAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        var n = NormalizeAdminName(name);
        var found = n is null ? [] : await QueryAdminsAsync("SELECT name, created, stamp, scram_sha256 FROM admins WHERE name = @n", n, cancellationToken).ConfigureAwait(false);
        // Unknown names run PBKDF2 against keys no password matches: the same work, so timing does not tell.
        var keys = found.Count > 0 ? found[0].Keys : null;
        keys ??= new ScramKeys(ScramHash.Sha256, RandomNumberGenerator.GetBytes(ScramCredentials.SaltLength), _options.PasswordIterations,
            RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        bool ok = ScramCredentials.Verify(password, keys);
        return ok && found.Count > 0 ? found[0].Account : null;
    }

    /// <summary>The name lower-case, or null when it is not 1-64 characters of a-z, 0-9, '.', '_', '-'.</summary>
    public static string? NormalizeAdminName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxAdminNameLength) return null;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return null;
        return name.ToLowerInvariant();
    }

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private async Task<List<(AdminAccount Account, ScramKeys? Keys)>> QueryAdminsAsync(string sql, string? name, CancellationToken ct)
    {
        await using var conn = await OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = Command(conn, null, sql, ("@n", name));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<(AdminAccount, ScramKeys?)>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            list.Add((new AdminAccount(reader.GetString(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                reader.GetString(2)), ScramKeys.Parse(reader.GetString(3))));
        return list;
    }
}
