namespace Postbote.MailAuth.Dkim;

/// <summary>The signing algorithms we sign with: rsa-sha256 (RFC 6376 §3.3.1, RFC 8301) and ed25519-sha256 (RFC 8463).</summary>
public enum DkimAlgorithm
{
    RsaSha256,
    Ed25519Sha256,
}
