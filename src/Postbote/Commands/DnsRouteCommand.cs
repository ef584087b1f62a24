using Postbote.Dns;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Configuration;
using Postbote.Core.Addressing;
using Postbote.Delivery.Dns;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>
/// `postbote dns route DOMAIN`: the walk-through's `dig -t MX`, answered the way the delivery agent resolves it
/// (same DNS servers from Dns:Servers, same MxResolver): the hosts in the order they would be tried, with
/// preferences and addresses, or why there is no route (null MX, NXDOMAIN, DNS failure).
/// </summary>
public sealed class DnsRouteCommand : AsyncCommand<DnsRouteSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DnsRouteSettings settings, CancellationToken ct)
    {
        if (ConfigSettings.LoadOrReport(settings.ConfigFile) is not { } config) return ExitCodes.Config;
        string domain = settings.Domain.Trim().TrimEnd('.');
        if (!MailboxParser.IsDomain(domain, allowUtf8: true))
        {
            await Console.Error.WriteLineAsync($"postbote: '{settings.Domain}' is not a domain name");
            return ExitCodes.Usage;
        }
        var dns = new DnsResolver(new Postbote.Dns.DnsOptions
        {
            Servers = (config.Options.Dns.Servers ?? Array.Empty<string>()).ToList(),
            QueryTimeout = config.Options.Dns.Timeout,
        }, NullLogger.Instance);
        var mx = new MxResolver(dns, new MxResolverOptions
        {
            LocalHostnames = new HashSet<string>(new[] { config.Server.Hostname }, StringComparer.OrdinalIgnoreCase),
        });
        var route = await mx.ResolveAsync(Mailbox.ToAscii(domain), ct);
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                domain = route.Domain, implicitMx = route.IsImplicitMx,
                hosts = route.Hosts.Select(h => new { name = h.Name, preference = h.Preference, addresses = h.Addresses.Select(a => a.ToString()) }),
                error = route.Error is { } e ? new { permanent = e.IsPermanent, status = e.Status, diagnostic = e.Diagnostic } : null,
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        else if (route.Error is { } error)
        {
            Console.WriteLine($"{route.Domain}: no route: {error.Diagnostic}");
            Console.WriteLine(error.IsPermanent
                ? $"  permanent ({error.Status}): mail to this domain is bounced at once"
                : $"  temporary ({error.Status}): mail to this domain is deferred and retried");
        }
        else
        {
            Console.WriteLine(route.IsImplicitMx
                ? $"{route.Domain} has no MX record; its own address records serve as implicit MX (RFC 5321 §5.1):"
                : $"{route.Domain}: hosts in the order delivery tries them (lowest preference first, equal ones shuffled):");
            var table = new Table().AddColumns("#", "Preference", "Host", "Addresses");
            int i = 1;
            foreach (var h in route.Hosts)
                table.AddRow((i++).ToString(), h.Preference.ToString(), Markup.Escape(h.Name), Markup.Escape(h.Addresses.Count == 0 ? "(no address)" : string.Join("\n", h.Addresses)));
            AnsiConsole.Write(table);
        }
        return route.Error switch
        {
            null => ExitCodes.Ok,
            { IsPermanent: true } => ExitCodes.NoInput,
            _ => ExitCodes.TempFail,
        };
    }
}
