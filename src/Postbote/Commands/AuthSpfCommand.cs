using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Dns;
using Postbote.MailAuth.Spf;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>
/// `postbote auth spf --ip IP --helo NAME --mail-from ADDR [--dns HOST:PORT]`: the SPF verdict (RFC 7208) the Mx
/// listener would reach for that client and sender. The first line is the result word alone (pass, fail, softfail,
/// neutral, none, temperror, permerror), then the explanation; exit 0 whatever the result, 64 on bad arguments.
/// </summary>
public sealed class AuthSpfCommand : AsyncCommand<AuthSpfSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, AuthSpfSettings settings, CancellationToken ct)
    {
        if (!IPAddress.TryParse(settings.Ip ?? "", out var ip)) return await UsageAsync($"--ip '{settings.Ip}' is not an IP address");
        var helo = (settings.Helo ?? "").Trim();
        var mailFrom = (settings.MailFrom ?? "").Trim().TrimStart('<').TrimEnd('>');
        if (helo.Length == 0 && mailFrom.Length == 0) return await UsageAsync("give --mail-from, or --helo for the null sender");
        if (mailFrom.Length > 0 && (mailFrom.IndexOf('@') is var at && (at < 0 || at == mailFrom.Length - 1)))
            return await UsageAsync($"--mail-from '{settings.MailFrom}' is not an address (local@domain)");
        if (!settings.TryDnsServer(out var server, out var dnsError)) return await UsageAsync(dnsError);
        if (ConfigSettings.LoadOrReport(settings.ConfigFile) is not { } config) return ExitCodes.Config;

        var o = config.Options;
        var dns = DnsQuerySettings.CreateResolver(config, server);
        var check = await new SpfEvaluator(dns, o.MailAuth, config.Server.Hostname).CheckAsync(ip, helo, mailFrom, ct);
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                result = check.ResultWord, identity = check.Identity, domain = check.Domain, explanation = check.Explanation,
            }));
            return ExitCodes.Ok;
        }
        Console.WriteLine(check.ResultWord);
        Console.WriteLine(check.Explanation);
        Console.WriteLine($"identity={check.Identity}; domain={check.Domain}; client-ip={ip}; helo={(helo.Length == 0 ? "(none)" : helo)}");
        return ExitCodes.Ok;
    }

    private static async Task<int> UsageAsync(string message)
    {
        await Console.Error.WriteLineAsync("postbote auth spf: " + message);
        return ExitCodes.Usage;
    }
}
