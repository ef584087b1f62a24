using Postbote.Core.Sasl;

namespace Postbote.Core.Tests.Sasl;

/// <summary>A test fake of the credential store: users by lower-cased name.</summary>
internal sealed class InMemoryCredentialStore : ISaslCredentialStore
{
    private readonly Dictionary<string, StoredCredentials> _users = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Lookups { get; } = new();

    public InMemoryCredentialStore Add(StoredCredentials credentials)
    {
        _users[credentials.UserName] = credentials;
        return this;
    }

    public InMemoryCredentialStore AddPassword(string user, string password, bool cram = false) =>
        Add(new StoredCredentials(user,
            ScramCredentials.Derive(password, 4096, ScramHash.Sha256),
            ScramCredentials.Derive(password, 4096, ScramHash.Sha1),
            cram ? password : null));

    public ValueTask<StoredCredentials?> FindAsync(string userName, CancellationToken cancellationToken)
    {
        Lookups.Add(userName);
        return ValueTask.FromResult(_users.TryGetValue(userName, out var c) ? c : null);
    }
}
