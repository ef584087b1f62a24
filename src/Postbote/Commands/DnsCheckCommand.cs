using System.Net;
using System.Text.Json;
using Postbote.Core.Addressing;
using Postbote.Hosting;
using Postbote.MailAuth.Readiness;
using Postbote.MailAuth.Spf;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>
/// `postbote dns check DOMAIN [--ip IP]... [--dns HOST:PORT] [--json]`: whether the domain is ready to send from this
/// server, one line per check (OK, MISSING or WRONG: MX, A/AAAA, PTR, SPF, DKIM, DMARC), each not OK followed by the
/// record to publish as a zone file line. Exit 0 when every check is OK, 1 when one is not, 64 on bad arguments.
/// </summary>
public sealed class DnsCheckCommand : AsyncCommand<DnsCheckSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DnsCheckSettings settings, CancellationToken ct)
    {
        string domain = settings.Domain.Trim().TrimEnd('.');
        if (!MailboxParser.IsDomain(domain, allowUtf8: true)) return await UsageAsync($"'{settings.Domain}' is not a domain name");
        var outbound = new List<IPAddress>();
        foreach (var text in settings.Ip ?? [])
        {
            if (!IPAddress.TryParse(text, out var ip)) return await UsageAsync($"--ip '{text}' is not an IP address");
            outbound.Add(ip);
        }
        if (!settings.TryDnsServer(out var server, out var error)) return await UsageAsync(error);
        if (ConfigSettings.LoadOrReport(settings.ConfigFile) is not { } config) return ExitCodes.Config;

        var dns = DnsQuerySettings.CreateResolver(config, server);
        var readiness = new DomainReadiness(dns, new SpfEvaluator(dns, config.Options.MailAuth, config.Server.Hostname),
            new Postbote.MailAuth.Dkim.DkimKeyStore(DkimComposition.KeyDirectory(config)), config.Server.Hostname);
        var ascii = Mailbox.ToAscii(domain);
        var items = await readiness.CheckAsync(ascii, outbound.Count > 0 ? outbound : null, ct);
        bool ready = items.All(i => i.Status == ReadinessStatus.Ok);
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                domain = ascii, hostname = config.Server.Hostname, ready,
                checks = items.Select(i => new { status = i.StatusWord, check = i.Check, detail = i.Detail, publish = i.Publish }),
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            Console.WriteLine($"{ascii}: sending from {config.Server.Hostname}");
            foreach (var i in items)
            {
                Console.WriteLine($"{i.StatusWord,-8} {i.Check,-7} {i.Detail}");
                if (i.Publish is { } publish) Console.WriteLine($"{"",-8} {"",-7} publish: {publish}");
            }
            Console.WriteLine(ready ? $"{ascii} is ready to send." : $"{ascii} is not ready: {items.Count(i => i.Status != ReadinessStatus.Ok)} of {items.Count} checks need attention.");
        }
        return ready ? ExitCodes.Ok : ExitCodes.NotReady;
    }

    private static async Task<int> UsageAsync(string message)
    {
        await Console.Error.WriteLineAsync("postbote dns check: " + message);
        return ExitCodes.Usage;
    }
}
