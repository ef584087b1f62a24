using Postbote.MailAuth.Dkim;

namespace Postbote.Commands;

/// <summary>`postbote dkim remove DOMAIN SELECTOR`: deletes a key; the domain's next key (if any) signs from then on.</summary>
public sealed class DkimRemoveCommand : DkimCommandBase<DkimRemoveSettings>
{
    protected override int Run(DkimKeyStore store, DkimRemoveSettings s)
    {
        var domain = DkimKeyStore.NormalizeDomain(s.Domain);
        if (!store.Remove(domain, s.Selector))
        {
            Console.Error.WriteLine($"postbote: {domain} has no DKIM key with selector '{s.Selector}'");
            return ExitCodes.NoInput;
        }
        var left = store.Load(domain);
        Console.WriteLine(left.Count == 0
            ? $"key {s.Selector}._domainkey.{domain} removed; mail from {domain} is no longer signed"
            : $"key {s.Selector}._domainkey.{domain} removed; {string.Join(", ", left.Select(k => k.Selector))} remain");
        foreach (var k in left) k.Dispose();
        return ExitCodes.Ok;
    }
}
