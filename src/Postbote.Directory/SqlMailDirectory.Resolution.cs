using System.Data.Common;

namespace Postbote.Directory;

public abstract partial class SqlMailDirectory
{
    /// <summary>The state of one resolution: the open connection, the results so far and the alias path (for loops).</summary>
    private sealed class Resolution(DbConnection connection, bool useCatchAll, CancellationToken ct)
    {
        public DbConnection Connection { get; } = connection;
        public bool UseCatchAll { get; } = useCatchAll;
        public CancellationToken Ct { get; } = ct;
        public List<ResolvedMailbox> Mailboxes { get; } = new();
        public HashSet<ResolvedMailbox> Seen { get; } = new();
        public List<string> Unresolved { get; } = new();
        public List<string> Path { get; } = new();
        public string? LoopDetail { get; set; }
        public int Lookups { get; set; }

        public void Add(string address, MailboxKind kind)
        {
            var mailbox = new ResolvedMailbox(address, kind);
            if (Seen.Add(mailbox)) Mailboxes.Add(mailbox);
        }
    }

    private enum Outcome { Found, Unknown, Loop, Limit }

    /// <inheritdoc/>
    public Task<RecipientResolution> ResolveRecipientAsync(string address, CancellationToken cancellationToken = default) =>
        ResolveAsync(address, useCatchAll: true, cancellationToken);

    /// <inheritdoc/>
    public async Task<bool> OwnsSenderAsync(string userName, string address, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(address) || address.Trim() == "<>") return true;
        var user = await FindUserAsync(userName, cancellationToken).ConfigureAwait(false);
        if (user is null) return false;
        if (user.AllowSendAsAnyone) return true;
        if (!DirectoryAddress.TryNormalize(address, out var a)) return false;
        if (a == user.Address) return true;
        // Catch-alls are excluded: a catch-all owner must not be able to send as every address of the domain.
        var resolution = await ResolveAsync(a, useCatchAll: false, cancellationToken).ConfigureAwait(false);
        return resolution.IsResolved && resolution.Mailboxes.Contains(new ResolvedMailbox(user.Address, MailboxKind.LocalUser));
    }

    /// <inheritdoc/>
    public async Task<bool> HasRecipientsAsync(CancellationToken cancellationToken = default)
    {
        // Sources are stored lower-case with an A-label domain, so every "abuse@domain" sorts between "abuse@" and
        // "abuse@~": the primary key's index skips them, and EXISTS stops at the first other row.
        await using var conn = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var any = await ScalarAsync(conn, null,
            "SELECT EXISTS(SELECT 1 FROM users) OR EXISTS(SELECT 1 FROM aliases WHERE source < 'abuse@' OR source > 'abuse@~')",
            cancellationToken).ConfigureAwait(false);
        return Convert.ToBoolean(any, System.Globalization.CultureInfo.InvariantCulture); // SQLite: 0/1, PostgreSQL: boolean
    }

    private async Task<RecipientResolution> ResolveAsync(string address, bool useCatchAll, CancellationToken ct)
    {
        if (!DirectoryAddress.TryNormalize(address, false, out var local, out var domain))
            return RecipientResolution.Failed(ResolutionKind.InvalidAddress);
        await using var conn = await OpenConnectionAsync(ct).ConfigureAwait(false);
        if (!await DomainExistsAsync(conn, null, domain, ct).ConfigureAwait(false))
            return RecipientResolution.Failed(ResolutionKind.NotLocal);

        var state = new Resolution(conn, useCatchAll, ct);
        var outcome = await ResolveLocalAsync(state, local, domain, 0, skipAlias: false).ConfigureAwait(false);
        return outcome switch
        {
            Outcome.Loop => RecipientResolution.Failed(ResolutionKind.AliasLoop, state.LoopDetail),
            Outcome.Limit => RecipientResolution.Failed(ResolutionKind.ExpansionLimit, state.LoopDetail),
            _ when state.Mailboxes.Count == 0 => new RecipientResolution(ResolutionKind.UnknownUser, [], state.Unresolved),
            _ => new RecipientResolution(ResolutionKind.Resolved, state.Mailboxes, state.Unresolved),
        };
    }

    /// <summary>Resolves local@domain (domain known to be local): alias, user, extension, postmaster, catch-all.</summary>
    private async Task<Outcome> ResolveLocalAsync(Resolution state, string local, string domain, int depth, bool skipAlias)
    {
        string address = local + "@" + domain;
        if (++state.Lookups > _options.MaxAliasLookups)
        {
            state.LoopDetail = $"resolving the recipient takes more than {_options.MaxAliasLookups} lookups (MaxAliasLookups)";
            return Outcome.Limit;
        }
        if (depth > _options.MaxAliasDepth)
        {
            state.LoopDetail = $"aliases nest deeper than {_options.MaxAliasDepth}: {string.Join(" -> ", state.Path)}";
            return Outcome.Loop;
        }

        // Aliases first, as Postfix's virtual_alias_maps: "alice@d: alice@d, alice@elsewhere" keeps a local copy.
        if (!skipAlias)
        {
            var targets = await AliasTargetsAsync(state, address).ConfigureAwait(false);
            if (targets.Count > 0) return await ExpandAsync(state, address, targets, depth).ConfigureAwait(false);
        }

        if (await UserExistsAsync(state, address).ConfigureAwait(false))
        {
            state.Add(address, MailboxKind.LocalUser);
            return Outcome.Found;
        }

        int delimiter = _options.RecipientDelimiters.Length == 0 ? -1 : local.IndexOfAny(_options.RecipientDelimiters.ToCharArray());
        if (delimiter > 0)
            return await ResolveLocalAsync(state, local[..delimiter], domain, depth, skipAlias: false).ConfigureAwait(false);

        if (local == "postmaster") // RFC 5321 §4.5.1: postmaster@ of every local domain must be accepted
        {
            if (_options.PostmasterAddress is null || !DirectoryAddress.TryNormalize(_options.PostmasterAddress, out var pm) || pm == address)
            {
                state.Add(address, MailboxKind.Postmaster);
                return Outcome.Found;
            }
            return await ExpandAsync(state, address, [pm], depth).ConfigureAwait(false);
        }

        if (state.UseCatchAll)
        {
            string catchAll = "@" + domain;
            var targets = await AliasTargetsAsync(state, catchAll).ConfigureAwait(false);
            if (targets.Count > 0) return await ExpandAsync(state, catchAll, targets, depth).ConfigureAwait(false);
        }
        return Outcome.Unknown;
    }

    private async Task<Outcome> ExpandAsync(Resolution state, string source, IReadOnlyList<string> targets, int depth)
    {
        if (state.Path.Contains(source))
        {
            state.LoopDetail = $"alias loop: {string.Join(" -> ", state.Path)} -> {source}";
            return Outcome.Loop;
        }
        state.Path.Add(source);
        try
        {
            foreach (var target in targets)
            {
                if (!DirectoryAddress.TryNormalize(target, false, out var local, out var domain))
                {
                    state.Unresolved.Add(target);
                    continue;
                }
                if (!await DomainExistsAsync(state.Connection, null, domain, state.Ct).ConfigureAwait(false))
                    state.Add(target, MailboxKind.External);
                else
                {
                    // A target naming its own source means the mailbox behind it, not the alias again.
                    bool self = target == source;
                    var outcome = await ResolveLocalAsync(state, local, domain, depth + 1, skipAlias: self).ConfigureAwait(false);
                    if (outcome is Outcome.Loop or Outcome.Limit) return outcome;
                    if (outcome == Outcome.Unknown) state.Unresolved.Add(target);
                }
                if (state.Mailboxes.Count > _options.MaxAliasExpansion)
                {
                    state.LoopDetail = $"{source} expands to more than {_options.MaxAliasExpansion} mailboxes (MaxAliasExpansion)";
                    return Outcome.Limit;
                }
            }
            return Outcome.Found;
        }
        finally
        {
            state.Path.RemoveAt(state.Path.Count - 1);
        }
    }

    /// <summary>The targets of an alias, at most one more than an expansion may hold (enough to see it is too many).</summary>
    private async Task<List<string>> AliasTargetsAsync(Resolution state, string source) =>
        await StringsAsync(state.Connection, _aliasTargetsSql, state.Ct,
            ("@s", source), ("@n", _options.MaxAliasExpansion + 1)).ConfigureAwait(false);

    private static async Task<bool> UserExistsAsync(Resolution state, string address) =>
        await ScalarAsync(state.Connection, null, "SELECT 1 FROM users WHERE address = @a", state.Ct, ("@a", address)).ConfigureAwait(false) is not null;
}
