using Postbote.Core.Sasl;

namespace Postbote.Directory;

/// <summary>
/// Domains, users, credentials and aliases of the mail system. Addresses are compared case-insensitively and stored
/// lower-case with the domain as an IDNA A-label. Administrative methods throw <see cref="DirectoryException"/> for
/// refused changes (invalid address, domain not local, duplicate user); lookups never throw for bad input.
/// As an <see cref="ISaslCredentialStore"/> it serves the SASL mechanisms with the user's SCRAM keys.
/// </summary>
public interface IMailDirectory : ISaslCredentialStore
{
    // Domains

    /// <summary>Adds a local domain; also creates the alias abuse@domain → postmaster@domain (RFC 2142; remove the alias
    /// to drop abuse@, or add a user abuse@domain, which replaces it).
    /// Returns false when the domain was already local.</summary>
    Task<bool> AddDomainAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>Removes a local domain. Refuses (throws) while it has users or aliases unless <paramref name="force"/>
    /// is set, which removes them too. Returns false when the domain was not local.</summary>
    Task<bool> RemoveDomainAsync(string domain, bool force = false, CancellationToken cancellationToken = default);

    /// <summary>All local domains (A-labels), sorted.</summary>
    Task<IReadOnlyList<string>> ListDomainsAsync(CancellationToken cancellationToken = default);

    /// <summary>True when <paramref name="domain"/> (any case, U-label or A-label) is local.</summary>
    Task<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken = default);

    // Users

    /// <summary>Adds a user in a local domain with a password (stored as SCRAM-SHA-256 and SCRAM-SHA-1 keys).</summary>
    Task<MailUser> AddUserAsync(string address, string password, UserSettings? settings = null, CancellationToken cancellationToken = default);

    /// <summary>Sets a new password. <paramref name="allowCramMd5"/> turns the CRAM-MD5 opt-in on or off (null keeps it).
    /// Returns false for an unknown user.</summary>
    Task<bool> SetPasswordAsync(string address, string password, bool? allowCramMd5 = null, CancellationToken cancellationToken = default);

    /// <summary>Drops the CRAM-MD5 secret (turning the opt-in off does not need the password). False for an unknown user.</summary>
    Task<bool> DisableCramMd5Async(string address, CancellationToken cancellationToken = default);

    /// <summary>Sets whether the user may submit with any envelope sender. False for an unknown user.</summary>
    Task<bool> SetSendAsAnyoneAsync(string address, bool allow, CancellationToken cancellationToken = default);

    /// <summary>Sets the quota in bytes, or null for none. False for an unknown user.</summary>
    Task<bool> SetQuotaAsync(string address, long? quotaBytes, CancellationToken cancellationToken = default);

    /// <summary>Removes a user. False for an unknown user.</summary>
    Task<bool> RemoveUserAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>The user, or null.</summary>
    Task<MailUser?> FindUserAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>All users, or those of one domain, sorted by address.</summary>
    Task<IReadOnlyList<MailUser>> ListUsersAsync(string? domain = null, CancellationToken cancellationToken = default);

    // Aliases

    /// <summary>Adds targets to the alias <paramref name="source"/> ("local@domain" or catch-all "@domain", domain local).
    /// Targets are full addresses, local or external. Returns the number of targets that were new.</summary>
    Task<int> AddAliasAsync(string source, IEnumerable<string> targets, CancellationToken cancellationToken = default);

    /// <summary>Removes one target of an alias, or the whole alias when <paramref name="target"/> is null.
    /// Returns the number of targets removed.</summary>
    Task<int> RemoveAliasAsync(string source, string? target = null, CancellationToken cancellationToken = default);

    /// <summary>All aliases, or those of one domain, sorted by source.</summary>
    Task<IReadOnlyList<MailAlias>> ListAliasesAsync(string? domain = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Imports an /etc/aliases file into <paramref name="domain"/>: "name: target, target", '#' comments, continuation
    /// lines starting with white space. Bare target names become name@domain. ":include:", "|command" and "/file"
    /// targets are skipped with a warning. Existing aliases are extended, not replaced.
    /// </summary>
    Task<AliasImportResult> ImportAliasesAsync(TextReader aliasesFile, string domain, CancellationToken cancellationToken = default);

    // Resolution

    /// <summary>
    /// The final mailboxes of a recipient address, local part case-insensitive. Lookup order: an alias for the
    /// address (as Postfix's virtual aliases, so an alias may name its own address to keep a local copy), a user,
    /// the same lookups without the extension (user+tag → user), postmaster@ (always exists, see
    /// <see cref="MailDirectoryOptions.PostmasterAddress"/>), then the catch-all "@domain". Aliases are expanded
    /// recursively; a loop or nesting deeper than <see cref="MailDirectoryOptions.MaxAliasDepth"/> gives
    /// <see cref="ResolutionKind.AliasLoop"/>. Dangling local alias targets are listed in
    /// <see cref="RecipientResolution.Unresolved"/>; with no mailbox left the result is UnknownUser. Never throws for bad input.
    /// </summary>
    Task<RecipientResolution> ResolveRecipientAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when the directory defines any user, or any alias beyond the abuse@ ones created with each domain: whether
    /// recipients are checked at all (a fresh install takes every local part). Asked at every refused RCPT, so an
    /// implementation answers with indexed existence queries (SQLite: two EXISTS); this fallback lists everything.
    /// </summary>
    async Task<bool> HasRecipientsAsync(CancellationToken cancellationToken = default) =>
        (await ListUsersAsync(null, cancellationToken).ConfigureAwait(false)).Count > 0
        || (await ListAliasesAsync(null, cancellationToken).ConfigureAwait(false)).Any(a => !a.Source.StartsWith("abuse@", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// True when the authenticated <paramref name="userName"/> may use <paramref name="address"/> as envelope sender:
    /// their own address (with any extension), an alias that resolves to them (catch-alls excluded), or any address
    /// when the user has <see cref="MailUser.AllowSendAsAnyone"/>. The null sender (empty) is always allowed.
    /// </summary>
    Task<bool> OwnsSenderAsync(string userName, string address, CancellationToken cancellationToken = default);
}
