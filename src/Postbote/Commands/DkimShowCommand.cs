using Postbote.MailAuth.Dkim;

namespace Postbote.Commands;

/// <summary>`postbote dkim show DOMAIN`: the domain's keys with the record each needs in DNS.</summary>
public sealed class DkimShowCommand : DkimCommandBase<DkimDomainSettings>
{
    protected override int Run(DkimKeyStore store, DkimDomainSettings s)
    {
        var domain = DkimKeyStore.NormalizeDomain(s.Domain);
        var keys = store.Load(domain);
        if (keys.Count == 0)
        {
            Console.Error.WriteLine($"postbote: {domain} has no DKIM key (postbote dkim keygen {domain})");
            return ExitCodes.NoInput;
        }
        if (s.Json) Console.WriteLine(Serialize(keys.Select(k => ToJson(k, keys)).ToArray()));
        else
        {
            foreach (var k in keys)
            {
                Console.WriteLine($"; {k.Selector}: {k.AlgorithmName}, {k.KeyBits} bits, created {k.Created:yyyy-MM-dd HH:mm} UTC, {(IsSigning(k, keys) ? "signing" : "waiting (an older key signs)")}");
                Console.WriteLine(k.ZoneFileLine);
            }
        }
        foreach (var k in keys) k.Dispose();
        return ExitCodes.Ok;
    }
}
