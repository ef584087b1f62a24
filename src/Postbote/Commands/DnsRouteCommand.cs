using Postbote.Dns;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Configuration;
using Postbote.Core.Addressing;
using Postbote.Delivery.Dns;
using Postbote.Delivery.Tls;
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
    /// <summary>Why <paramref name="policy"/> applies, in words for the admin.</summary>
    private static string TlsWhy(DestinationTlsPolicy policy, LearnedTlsEntry? entry, bool learns)
    {
        var why = entry is not null && policy.Source.StartsWith("learned", StringComparison.Ordinal)
            ? $"learned level {(entry.Level == LearnedTlsLevel.Verified ? "verified" : "encrypted")} since {entry.Since:yyyy-MM-dd HH:mm} UTC (delivered over TLS before; postbote tls forget {entry.Domain} clears it)"
            : policy.Source == "Delivery:Tls:Level" ? "the default level (Delivery:Tls:Level); no policy of its own" + (learns ? ", nothing learned yet" : "")
            : $"configured policy {policy.Source}";
        return policy.Level switch
        {
            TlsLevel.Dane => why + "; no TLSA lookup yet, so as may",
            TlsLevel.DaneOnly => why + "; no TLSA lookup yet, so mail is deferred (4.7.5)",
            TlsLevel.May => why + "; STARTTLS when offered, plaintext otherwise",
            TlsLevel.Encrypt => why + "; TLS required, any certificate",
            TlsLevel.Verify => why + "; TLS required, certificate chain " + (policy.TrustAnchors is null ? "to the system store" : "to the configured CA file") + " and name verified",
            _ => why + "; never TLS",
        };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, DnsRouteSettings settings, CancellationToken ct)
    {
        if (!settings.TryDnsServer(out var server, out var dnsError))
        {
            await Console.Error.WriteLineAsync("postbote: " + dnsError);
            return ExitCodes.Usage;
        }
        if (ConfigSettings.LoadOrReport(settings.ConfigFile) is not { } config) return ExitCodes.Config;
        string domain = settings.Domain.Trim().TrimEnd('.');
        if (!MailboxParser.IsDomain(domain, allowUtf8: true))
        {
            await Console.Error.WriteLineAsync($"postbote: '{settings.Domain}' is not a domain name");
            return ExitCodes.Usage;
        }
        var dns = DnsQuerySettings.CreateResolver(config, server);
        var mx = new MxResolver(dns, new MxResolverOptions
        {
            LocalHostnames = new HashSet<string>(new[] { config.Server.Hostname }, StringComparer.OrdinalIgnoreCase),
        });
        var route = await mx.ResolveAsync(Mailbox.ToAscii(domain), ct);
        using var learned = config.Options.Delivery.Tls.LearnLevels && File.Exists(Path.Combine(config.DataDirectory, LearnedTlsLevels.FileName))
            ? LearnedTlsLevels.Open(Path.Combine(config.DataDirectory, LearnedTlsLevels.FileName), config.Options.Delivery.Tls.LearnedLevelsMaxEntries)
            : null;
        var policy = TlsPolicyTable.Build(config.Options.Delivery.Tls).Effective(route.Domain, learned, out var learns, out var entry);
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                domain = route.Domain, implicitMx = route.IsImplicitMx,
                hosts = route.Hosts.Select(h => new
                {
                    name = h.Name, preference = h.Preference, addresses = h.Addresses.Select(a => a.ToString()),
                    tls = new
                    {
                        level = policy.Level.Name(), source = policy.Source, why = TlsWhy(policy, entry, learns),
                        match = policy.Level == TlsLevel.Verify ? TlsMatchNames.Resolve(policy.Match, h.Name, route.Domain) : null,
                    },
                }),
                relayhost = config.Options.Relayhost?.Host,
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
            var table = new Table().AddColumns("#", "Preference", "Host", "Addresses", "TLS");
            int i = 1;
            foreach (var h in route.Hosts)
            {
                var tls = policy.Level == TlsLevel.Verify
                    ? $"{policy.Level.Name()}, match {string.Join(" or ", TlsMatchNames.Resolve(policy.Match, h.Name, route.Domain))}"
                    : policy.Level.Name();
                table.AddRow((i++).ToString(), h.Preference.ToString(), Markup.Escape(h.Name), Markup.Escape(h.Addresses.Count == 0 ? "(no address)" : string.Join("\n", h.Addresses)),
                    Markup.Escape(tls));
            }
            AnsiConsole.Write(table);
            Console.WriteLine($"TLS {policy.Level.Name()}: {TlsWhy(policy, entry, learns)}");
            if (config.Options.Relayhost?.Host is { Length: > 0 } relay)
                Console.WriteLine($"(a relayhost is configured: mail actually goes to {relay} under Relayhost:Tls, not to these hosts)");
        }
        return route.Error switch
        {
            null => ExitCodes.Ok,
            { IsPermanent: true } => ExitCodes.NoInput,
            _ => ExitCodes.TempFail,
        };
    }
}
