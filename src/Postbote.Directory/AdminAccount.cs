namespace Postbote.Directory;

/// <summary>A dashboard administrator as listed (never with the password keys).</summary>
/// <param name="Name">The login name, lower-case.</param>
/// <param name="Created">When the account was added.</param>
/// <param name="Stamp">Changes with every password change: a session issued under an older stamp is no longer valid.</param>
public sealed record AdminAccount(string Name, DateTimeOffset Created, string Stamp);
