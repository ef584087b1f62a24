using Postbote.MailAuth.Dkim;

namespace Postbote.Commands;

/// <summary>
/// `postbote dkim rotate DOMAIN`: a new key with a new selector beside the old one. The old key keeps signing until
/// `postbote dkim remove DOMAIN OLD` once the new record is published (and caches have had its TTL).
/// </summary>
public sealed class DkimRotateCommand : DkimCommandBase<DkimKeygenSettings>
{
    protected override int Run(DkimKeyStore store, DkimKeygenSettings s)
    {
        var domain = DkimKeyStore.NormalizeDomain(s.Domain);
        var existing = store.Load(domain);
        if (existing.Count == 0)
        {
            Console.Error.WriteLine($"postbote: {domain} has no DKIM key to rotate (postbote dkim keygen {domain})");
            return ExitCodes.NoInput;
        }
        int rc = CreateAndPrint(store, s, "created");
        var algorithm = ParseAlgorithm(s.Algorithm);
        if (existing.FirstOrDefault(k => k.Algorithm == algorithm) is { } old)
            Console.Error.WriteLine($"postbote: {old.Selector} keeps signing until removed: postbote dkim remove {domain} {old.Selector}");
        foreach (var k in existing) k.Dispose();
        return rc;
    }
}
