namespace Postbote.Core.Sasl;

/// <summary>
/// What the server knows about a user's secret: SCRAM keys (never the password) and, only for users an admin
/// opted in, the plaintext-equivalent CRAM-MD5 secret.
/// </summary>
/// <param name="UserName">The canonical user name reported on success.</param>
/// <param name="ScramSha256">Keys for SCRAM-SHA-256; also used to verify PLAIN and LOGIN.</param>
/// <param name="ScramSha1">Keys for SCRAM-SHA-1 (null disables SCRAM-SHA-1 for this user).</param>
/// <param name="CramMd5Secret">The shared secret for CRAM-MD5 (RFC 2195), null unless opted in.</param>
public sealed record StoredCredentials(string UserName, ScramKeys? ScramSha256, ScramKeys? ScramSha1, string? CramMd5Secret = null)
{
    /// <summary>The keys for <paramref name="hash"/>, or null.</summary>
    public ScramKeys? KeysFor(ScramHash hash) => hash == ScramHash.Sha256 ? ScramSha256 : ScramSha1;
}
