namespace Postbote.Directory;

/// <summary>
/// The dashboard's administrators (`postbote admin add NAME`): a role of their own, stored apart from the mail users,
/// so that a mail user's credentials never open the dashboard and an admin name is never a mailbox. Passwords are
/// kept as SCRAM-SHA-256 keys (PBKDF2), like the mail users'. Names are 1 to 64 characters of a-z, 0-9, '.', '_',
/// '-' (compared lower-case). Administrative methods throw <see cref="DirectoryException"/> for refused changes.
/// Implemented by both directory stores (<see cref="SqlMailDirectory"/>: SQLite and PostgreSQL) beside <see cref="IMailDirectory"/>.
/// </summary>
public interface IAdminAccounts
{
    /// <summary>Adds an administrator. Throws when the name is invalid, taken, or the password empty.</summary>
    Task<AdminAccount> AddAdminAsync(string name, string password, CancellationToken cancellationToken = default);

    /// <summary>Sets a new password and a new <see cref="AdminAccount.Stamp"/> (ending the admin's open sessions).
    /// False for an unknown name.</summary>
    Task<bool> SetAdminPasswordAsync(string name, string password, CancellationToken cancellationToken = default);

    /// <summary>Removes an administrator. False for an unknown name.</summary>
    Task<bool> RemoveAdminAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>All administrators, sorted by name.</summary>
    Task<IReadOnlyList<AdminAccount>> ListAdminsAsync(CancellationToken cancellationToken = default);

    /// <summary>The administrator, or null (also for a malformed name).</summary>
    Task<AdminAccount?> FindAdminAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// The administrator when <paramref name="password"/> is theirs, else null. An unknown name costs the same
    /// PBKDF2 work as a known one, so timing does not tell which names exist.
    /// </summary>
    Task<AdminAccount?> VerifyAdminAsync(string name, string password, CancellationToken cancellationToken = default);
}
