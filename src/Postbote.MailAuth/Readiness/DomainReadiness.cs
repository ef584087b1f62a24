using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using Postbote.Dns;
using Postbote.MailAuth.Dkim;
using Postbote.MailAuth.Dmarc;
using Postbote.MailAuth.Spf;

namespace Postbote.MailAuth.Readiness;

/// <summary>
/// Whether a domain is ready to send from this server (`postbote dns check`): MX pointing at our hostname, A/AAAA of
/// the hostname, a PTR of each outbound address naming the hostname that resolves back (FCrDNS, as Gmail and
/// Outlook require), an SPF record that passes our outbound addresses (our own evaluator, as receivers see it),
/// each DKIM key of the domain published as we hold it, and a parseable DMARC record. Every check says what to
/// publish when it is not OK. Lookups go through the resolver given (Dns:Servers, or --dns).
/// </summary>
public sealed class DomainReadiness(DnsResolver dns, SpfEvaluator spf, DkimKeyStore keys, string hostname)
{
    private readonly string _hostname = hostname.TrimEnd('.').ToLowerInvariant();

    /// <param name="domain">The sending domain, ASCII.</param>
    /// <param name="outbound">The addresses mail leaves from; null: those our hostname resolves to.</param>
    public async Task<IReadOnlyList<ReadinessItem>> CheckAsync(string domain, IReadOnlyList<IPAddress>? outbound, CancellationToken ct)
    {
        domain = domain.TrimEnd('.').ToLowerInvariant();
        var items = new List<ReadinessItem>();
        var (hostItem, hostAddresses) = await HostAddressesAsync(outbound, ct).ConfigureAwait(false);
        items.Add(await MxAsync(domain, hostAddresses, ct).ConfigureAwait(false));
        items.Add(hostItem);
        var senders = outbound is { Count: > 0 } ? outbound : hostAddresses;
        if (senders.Count == 0)
            items.Add(new ReadinessItem(ReadinessStatus.Missing, "PTR", "no outbound address known: the hostname has no address and none was given (--ip)"));
        foreach (var ip in senders) items.Add(await PtrAsync(ip, hostAddresses, ct).ConfigureAwait(false));
        items.AddRange(await SpfAsync(domain, senders, ct).ConfigureAwait(false));
        items.AddRange(await DkimAsync(domain, ct).ConfigureAwait(false));
        items.Add(await DmarcAsync(domain, ct).ConfigureAwait(false));
        return items;
    }

    private async Task<(ReadinessItem, IReadOnlyList<IPAddress>)> HostAddressesAsync(IReadOnlyList<IPAddress>? outbound, CancellationToken ct)
    {
        var (a, v4) = await dns.QueryAddressesAsync(_hostname, ipv6: false, ct).ConfigureAwait(false);
        var (aaaa, v6) = await dns.QueryAddressesAsync(_hostname, ipv6: true, ct).ConfigureAwait(false);
        var all = v4.Concat(v6).ToList();
        if (all.Count > 0) return (new ReadinessItem(ReadinessStatus.Ok, "A/AAAA", $"{_hostname} has {string.Join(", ", all)}"), all);
        if ((Failed(a) ?? Failed(aaaa)) is { } failure) return (Lookup("A/AAAA", _hostname, failure), all);
        var ip = outbound?.FirstOrDefault();
        var publish = ip is null ? $"{_hostname}. IN A <this server's public IPv4 address>"
            : $"{_hostname}. IN {(ip.AddressFamily == AddressFamily.InterNetworkV6 ? "AAAA" : "A")} {ip}";
        return (new ReadinessItem(ReadinessStatus.Missing, "A/AAAA", $"{_hostname} has no address", publish), all);
    }

    private async Task<ReadinessItem> MxAsync(string domain, IReadOnlyList<IPAddress> ours, CancellationToken ct)
    {
        var publish = $"{domain}. IN MX 10 {_hostname}.";
        var (answer, exchanges) = await dns.QueryMxNamesAsync(domain, ct).ConfigureAwait(false);
        if (Failed(answer) is { } failure) return Lookup("MX", domain, failure);
        var names = exchanges.Select(e => e.TrimEnd('.').ToLowerInvariant()).ToList();
        if (names.Count == 0) return new ReadinessItem(ReadinessStatus.Missing, "MX", $"{domain} has no MX record", publish);
        if (names.All(n => n.Length == 0)) return new ReadinessItem(ReadinessStatus.Wrong, "MX", $"{domain} has a null MX (RFC 7505): it takes no mail, bounces to it fail", publish);
        if (names.Contains(_hostname)) return new ReadinessItem(ReadinessStatus.Ok, "MX", $"{domain} MX {string.Join(", ", names)}");
        foreach (var name in names)
        {
            var (_, v4) = await dns.QueryAddressesAsync(name, ipv6: false, ct).ConfigureAwait(false);
            var (_, v6) = await dns.QueryAddressesAsync(name, ipv6: true, ct).ConfigureAwait(false);
            if (v4.Concat(v6).Any(ours.Contains)) return new ReadinessItem(ReadinessStatus.Ok, "MX", $"{domain} MX {name} (an address of {_hostname})");
        }
        return new ReadinessItem(ReadinessStatus.Wrong, "MX", $"{domain} MX {string.Join(", ", names)}: none is {_hostname}", publish);
    }

    private async Task<ReadinessItem> PtrAsync(IPAddress ip, IReadOnlyList<IPAddress> hostAddresses, CancellationToken ct)
    {
        var reverse = ip.GetReverseLookupDomain().ToString().TrimEnd('.');
        var publish = $"{reverse}. IN PTR {_hostname}.";
        var (answer, names) = await dns.QueryPtrAsync(ip, ct).ConfigureAwait(false);
        if (Failed(answer) is { } failure) return Lookup("PTR", reverse, failure);
        var found = names.Select(n => n.TrimEnd('.').ToLowerInvariant()).ToList();
        if (found.Count == 0)
            return new ReadinessItem(ReadinessStatus.Missing, "PTR", $"{ip} has no PTR record (whoever owns the address sets it: the hosting provider's panel)", publish);
        if (!found.Contains(_hostname))
            return new ReadinessItem(ReadinessStatus.Wrong, "PTR", $"{ip} PTR {string.Join(", ", found)}, not {_hostname}", publish);
        if (!hostAddresses.Contains(ip))
            return new ReadinessItem(ReadinessStatus.Wrong, "PTR", $"{ip} PTR {_hostname}, but {_hostname} does not resolve back to {ip} (no FCrDNS)",
                $"{_hostname}. IN {(ip.AddressFamily == AddressFamily.InterNetworkV6 ? "AAAA" : "A")} {ip}");
        return new ReadinessItem(ReadinessStatus.Ok, "PTR", $"{ip} PTR {_hostname}, which resolves back to it (FCrDNS)");
    }

    private async Task<List<ReadinessItem>> SpfAsync(string domain, IReadOnlyList<IPAddress> senders, CancellationToken ct)
    {
        var mechanisms = string.Join(" ", senders.Select(ip => (ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6:" : "ip4:") + ip));
        var publish = $"{domain}. IN TXT \"v=spf1 mx {mechanisms}{(mechanisms.Length > 0 ? " " : "")}-all\"";
        var (answer, texts) = await dns.QueryTxtAsync(domain, ct).ConfigureAwait(false);
        if (Failed(answer) is { } failure) return [Lookup("SPF", domain, failure)];
        var records = texts.Where(t => t.Equals("v=spf1", StringComparison.OrdinalIgnoreCase) || t.StartsWith("v=spf1 ", StringComparison.OrdinalIgnoreCase)).ToList();
        if (records.Count == 0) return [new ReadinessItem(ReadinessStatus.Missing, "SPF", $"{domain} publishes no SPF record", publish)];
        if (records.Count > 1) return [new ReadinessItem(ReadinessStatus.Wrong, "SPF", $"{domain} publishes {records.Count} SPF records: receivers take none (permerror, RFC 7208 §4.5)", publish)];
        var items = new List<ReadinessItem>();
        foreach (var ip in senders)
        {
            var check = await spf.CheckAsync(ip, _hostname, "postmaster@" + domain, ct).ConfigureAwait(false);
            items.Add(check.Result == SpfResult.Pass
                ? new ReadinessItem(ReadinessStatus.Ok, "SPF", $"\"{records[0]}\" passes {ip}")
                : new ReadinessItem(ReadinessStatus.Wrong, "SPF", $"\"{records[0]}\" gives {check.ResultWord} for {ip}: {check.Explanation}", publish));
        }
        return items;
    }

    private async Task<List<ReadinessItem>> DkimAsync(string domain, CancellationToken ct)
    {
        var ours = keys.Load(domain);
        if (ours.Count == 0)
            return [new ReadinessItem(ReadinessStatus.Missing, "DKIM", $"no DKIM key for {domain}: its mail leaves unsigned", $"(run: postbote dkim keygen {domain}, then publish the record it prints)")];
        var items = new List<ReadinessItem>();
        foreach (var key in ours)
        {
            var (answer, texts) = await dns.QueryTxtAsync(key.RecordName, ct).ConfigureAwait(false);
            if (Failed(answer) is { } failure)
            {
                items.Add(Lookup("DKIM", key.RecordName, failure));
                continue;
            }
            var published = texts.Select(DkimTagList.Parse).Where(t => t is not null && t.ContainsKey("p")).ToList();
            if (published.Count == 0)
                items.Add(new ReadinessItem(ReadinessStatus.Missing, "DKIM", $"{key.RecordName} ({key.AlgorithmName}) is not published", key.ZoneFileLine));
            else if (published.Count > 1)
                items.Add(new ReadinessItem(ReadinessStatus.Wrong, "DKIM", $"{key.RecordName} has {published.Count} key records: verifiers fail", key.ZoneFileLine));
            else if (DkimTagList.WithoutWhiteSpace(published[0]!["p"]) != key.PublicKeyBase64)
                items.Add(new ReadinessItem(ReadinessStatus.Wrong, "DKIM", published[0]!["p"].Length == 0
                    ? $"{key.RecordName} is revoked (empty p=) but this key still signs"
                    : $"{key.RecordName} publishes another key than ours: signatures fail", key.ZoneFileLine));
            else
                items.Add(new ReadinessItem(ReadinessStatus.Ok, "DKIM", $"{key.RecordName} ({key.AlgorithmName}, {key.KeyBits} bits) matches our key"));
        }
        return items;
    }

    private async Task<ReadinessItem> DmarcAsync(string domain, CancellationToken ct)
    {
        var name = "_dmarc." + domain;
        var publish = $"{name}. IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@{domain}\"";
        var (answer, texts) = await dns.QueryTxtAsync(name, ct).ConfigureAwait(false);
        if (Failed(answer) is { } failure) return Lookup("DMARC", name, failure);
        var records = texts.Where(DmarcRecord.IsDmarc).ToList();
        if (records.Count == 0)
            return new ReadinessItem(ReadinessStatus.Missing, "DMARC", $"{name} has no DMARC record (start with p=none and reports, then quarantine or reject)", publish);
        if (records.Count > 1)
            return new ReadinessItem(ReadinessStatus.Wrong, "DMARC", $"{name} has {records.Count} DMARC records: receivers apply none (RFC 7489 §6.6.3)", publish);
        if (DmarcRecord.Parse(records[0], out var error) is null)
            return new ReadinessItem(ReadinessStatus.Wrong, "DMARC", $"\"{records[0]}\" cannot be used: {error}", publish);
        return new ReadinessItem(ReadinessStatus.Ok, "DMARC", $"\"{records[0]}\"");
    }

    private static string? Failed(DnsAnswer answer) => answer.Status == DnsAnswerStatus.TemporaryFailure ? answer.Detail : null;

    private static ReadinessItem Lookup(string check, string name, string failure) =>
        new(ReadinessStatus.Wrong, check, $"the lookup of {name} failed ({failure}); try again, or check the DNS server");
}
