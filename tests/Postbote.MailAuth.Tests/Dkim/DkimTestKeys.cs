using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Postbote.MailAuth.Dkim;

namespace Postbote.MailAuth.Tests.Dkim;

/// <summary>MimeKit's key lookup (an independent verifier's) answered from the records of our keys, as DNS would.</summary>
internal sealed class DkimTestKeys : DkimPublicKeyLocatorBase
{
    private readonly Dictionary<string, string> _records = new(StringComparer.OrdinalIgnoreCase);

    public void Publish(DkimSigningKey key) => _records[key.RecordName] = key.TxtRecord;

    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        => _records.TryGetValue($"{selector}._domainkey.{domain}", out var txt) ? GetPublicKey(txt) : throw new InvalidOperationException("no key record " + selector + "._domainkey." + domain);

    public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        => Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
}
