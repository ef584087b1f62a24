using Postbote.Core.Sasl;

namespace Postbote.Directory;

/// <summary>Settings of the mail directory.</summary>
public sealed record MailDirectoryOptions
{
    /// <summary>
    /// Characters that start an address extension ("plus addressing"): with "+", <c>user+tag@d</c> is delivered to
    /// <c>user@d</c> (Postfix's recipient_delimiter, default "+" here). Each character is a separator; empty disables.
    /// </summary>
    public string RecipientDelimiters { get; init; } = "+";

    /// <summary>PBKDF2 iterations for new passwords (RFC 7677 §4: at least 4096, which is Dovecot's default).</summary>
    public int PasswordIterations { get; init; } = ScramCredentials.MinimumIterations;

    /// <summary>
    /// Where <c>postmaster@</c> of a local domain goes when the domain defines no user or alias for it
    /// (RFC 5321 §4.5.1 requires that it always exists). A local user or an external address, resolved like any
    /// alias target. When null, resolution returns one mailbox of kind <see cref="MailboxKind.Postmaster"/> and the
    /// caller delivers it to the operator's postmaster mailbox.
    /// </summary>
    public string? PostmasterAddress { get; init; }

    /// <summary>
    /// How long an answer to "is this domain local?" is reused (asked at every RCPT and every delivery). Changes made
    /// through this instance apply at once; changes by another process (<c>postbote domain add</c> while the server
    /// runs) within this time, as Postfix's table lookups notice a rebuilt map. Zero asks the database every time.
    /// </summary>
    public TimeSpan DomainLookupCacheLifetime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The deepest alias nesting followed before the resolution is reported as a loop (Postfix: 100; 20 is plenty).</summary>
    public int MaxAliasDepth { get; init; } = 20;

    /// <summary>
    /// The most mailboxes one recipient may expand to through aliases (Postfix's virtual_alias_expansion_limit, 1000).
    /// Beyond it the recipient is refused with a temporary error and a log line: a fan-out past this is a
    /// configuration problem for the admin, not a reason to bounce the sender's mail for good.
    /// </summary>
    public int MaxAliasExpansion { get; init; } = 1000;

    /// <summary>
    /// The most addresses looked up while resolving one recipient (each alias, user, extension and catch-all
    /// step): bounds the work an RCPT can cost however the aliases nest. 1000, as Postfix's
    /// virtual_alias_recursion_limit bounds its walk.
    /// </summary>
    public int MaxAliasLookups { get; init; } = 1000;
}
