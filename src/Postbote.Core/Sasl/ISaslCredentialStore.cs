namespace Postbote.Core.Sasl;

/// <summary>Where the SASL server mechanisms look up a user's stored credentials (the directory implements it).</summary>
public interface ISaslCredentialStore
{
    /// <summary>
    /// Finds the credentials of <paramref name="userName"/> (the authcid as sent by the client, after SASLprep),
    /// or <c>null</c> when there is no such user. Lookup is case-insensitive as the store defines it.
    /// </summary>
    ValueTask<StoredCredentials?> FindAsync(string userName, CancellationToken cancellationToken);
}
