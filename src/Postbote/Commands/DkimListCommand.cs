using Postbote.MailAuth.Dkim;
using Spectre.Console;

namespace Postbote.Commands;

/// <summary>`postbote dkim list`: every key, and which of them signs.</summary>
public sealed class DkimListCommand : DkimCommandBase<ConfigSettings>
{
    protected override int Run(DkimKeyStore store, ConfigSettings s)
    {
        var problems = new List<string>();
        var keys = store.Load(problems);
        foreach (var p in problems) Console.Error.WriteLine("postbote: key not usable: " + p);
        if (s.Json) Console.WriteLine(Serialize(keys.Select(k => ToJson(k, keys)).ToArray()));
        else if (keys.Count == 0) Console.WriteLine("no DKIM keys (postbote dkim keygen DOMAIN)");
        else
        {
            var table = new Table().AddColumns("Domain", "Selector", "Algorithm", "Bits", "Created", "Signing");
            foreach (var k in keys)
                table.AddRow(Markup.Escape(k.Domain), Markup.Escape(k.Selector), k.AlgorithmName, k.KeyBits.ToString(),
                    k.Created.ToString("yyyy-MM-dd"), IsSigning(k, keys) ? "yes" : "waiting (an older key signs)");
            AnsiConsole.Write(table);
        }
        foreach (var k in keys) k.Dispose();
        return ExitCodes.Ok;
    }
}
