using System.Collections.Concurrent;

namespace Postbote.Directory;

public abstract partial class SqlMailDirectory
{
    private const int DomainCacheEntries = 10_000;
    private readonly ConcurrentDictionary<string, (bool Local, long ExpiresAt)> _domainCache = new(StringComparer.Ordinal);
    // Bumped by every change of the domains through this instance: a lookup that read the database before a
    // change must not store its (then old) answer after the change cleared the cache.
    private long _domainGeneration;

    private protected void DomainsChanged()
    {
        Interlocked.Increment(ref _domainGeneration);
        _domainCache.Clear();
    }

    /// <inheritdoc/>
    public async Task<bool> AddDomainAsync(string domain, CancellationToken cancellationToken = default)
    {
        string d = DirectoryAddress.NormalizeDomain(domain);
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int added = await ExecuteAsync(conn, tx, "INSERT INTO domains(name) VALUES (@d) ON CONFLICT DO NOTHING", cancellationToken, ("@d", d)).ConfigureAwait(false);
        if (added > 0)
        {
            // RFC 2142 §2: abuse@ should reach a person; it goes to postmaster@ unless the admin removes this alias.
            await ExecuteAsync(conn, tx, "INSERT INTO aliases(source, domain, target) VALUES (@s, @d, @t) ON CONFLICT DO NOTHING", cancellationToken,
                ("@s", "abuse@" + d), ("@d", d), ("@t", "postmaster@" + d)).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        DomainsChanged();
        return added > 0;
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveDomainAsync(string domain, bool force = false, CancellationToken cancellationToken = default)
    {
        if (!DirectoryAddress.TryNormalizeDomain(domain, out var d)) return false;
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!force)
        {
            var users = Convert.ToInt64(await ScalarAsync(conn, tx, "SELECT COUNT(*) FROM users WHERE domain = @d", cancellationToken, ("@d", d)).ConfigureAwait(false));
            var aliases = Convert.ToInt64(await ScalarAsync(conn, tx,
                "SELECT COUNT(*) FROM aliases WHERE domain = @d AND NOT (source = 'abuse@' || @d AND target = 'postmaster@' || @d)",
                cancellationToken, ("@d", d)).ConfigureAwait(false));
            if (users + aliases > 0)
                throw new DirectoryException($"The domain '{d}' still has {users} user(s) and {aliases} alias target(s); remove them or force.");
        }
        await ExecuteAsync(conn, tx, "DELETE FROM users WHERE domain = @d", cancellationToken, ("@d", d)).ConfigureAwait(false);
        await ExecuteAsync(conn, tx, "DELETE FROM aliases WHERE domain = @d", cancellationToken, ("@d", d)).ConfigureAwait(false);
        int removed = await ExecuteAsync(conn, tx, "DELETE FROM domains WHERE name = @d", cancellationToken, ("@d", d)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        DomainsChanged();
        return removed > 0;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListDomainsAsync(CancellationToken cancellationToken = default)
    {
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await StringsAsync(conn, "SELECT name FROM domains ORDER BY name", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken = default)
    {
        if (!DirectoryAddress.TryNormalizeDomain(domain, out var d)) return false;
        long now = Environment.TickCount64;
        if (_domainCache.TryGetValue(d, out var cached) && cached.ExpiresAt > now) return cached.Local;
        long generation = Interlocked.Read(ref _domainGeneration);
        bool local;
        await using (var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            local = await DomainExistsAsync(conn, null, d, cancellationToken).ConfigureAwait(false);
        var lifetime = (long)_options.DomainLookupCacheLifetime.TotalMilliseconds;
        if (lifetime > 0 && Interlocked.Read(ref _domainGeneration) == generation)
        {
            // Bounded: a flood of made-up domains (every RCPT may name one) empties the cache rather than growing it.
            if (_domainCache.Count >= DomainCacheEntries) _domainCache.Clear();
            _domainCache[d] = (local, now + lifetime);
            // A change between the read of the generation and the store above clears again.
            if (Interlocked.Read(ref _domainGeneration) != generation) _domainCache.TryRemove(d, out _);
        }
        return local;
    }
}
