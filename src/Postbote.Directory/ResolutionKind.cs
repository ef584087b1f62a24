namespace Postbote.Directory;

/// <summary>The outcome of resolving a recipient.</summary>
public enum ResolutionKind
{
    /// <summary>The address resolves to one or more mailboxes.</summary>
    Resolved,
    /// <summary>The domain is local but no user, alias, catch-all or built-in address matches (550 5.1.1).</summary>
    UnknownUser,
    /// <summary>The domain is not local: the caller relays (if allowed) or rejects.</summary>
    NotLocal,
    /// <summary>The aliases form a loop or nest deeper than the limit: a configuration error, never followed forever.</summary>
    AliasLoop,
    /// <summary>
    /// The expansion would exceed <see cref="MailDirectoryOptions.MaxAliasExpansion"/> mailboxes or
    /// <see cref="MailDirectoryOptions.MaxAliasLookups"/> lookups: a configuration problem, refused for now (4.3.0).
    /// </summary>
    ExpansionLimit,
    /// <summary>Not an address ("local@domain" with a valid domain) at all.</summary>
    InvalidAddress,
}
