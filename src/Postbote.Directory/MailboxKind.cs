namespace Postbote.Directory;

/// <summary>Where a resolved mailbox lives.</summary>
public enum MailboxKind
{
    /// <summary>A local user's mailbox (deliver locally).</summary>
    LocalUser,
    /// <summary>An address in a domain that is not local (forward over SMTP).</summary>
    External,
    /// <summary>
    /// The postmaster of a local domain with no user or alias for it and no <see cref="MailDirectoryOptions.PostmasterAddress"/>
    /// configured: the caller delivers it to the operator's postmaster mailbox.
    /// </summary>
    Postmaster,
}
