using System.Net;
using Postbote.Dns;

namespace Postbote.MailAuth.Spf;

// The mechanisms of RFC 7208 §5.
public sealed partial class SpfEvaluator
{
    private async Task<bool> MatchesAsync(Evaluation e, SpfDirective d, SpfMacroContext context, CancellationToken ct)
    {
        switch (d.Mechanism)
        {
            case SpfMechanism.All:
                return true;
            case SpfMechanism.Ip4:
            case SpfMechanism.Ip6:
                return InNetwork(e.Client, d.Network!, d.Mechanism == SpfMechanism.Ip4 ? d.Cidr4 : d.Cidr6);
        }
        CountLookup(e);
        var target = d.DomainSpec is null ? context.Domain : await ExpandDomainAsync(d.DomainSpec, context, ct).ConfigureAwait(false);
        switch (d.Mechanism)
        {
            case SpfMechanism.Include:
            {
                // §5.2: pass matches; fail, softfail, neutral do not; none is a permerror; errors propagate.
                var (result, explanation) = await CheckHostAsync(e, target, ct).ConfigureAwait(false);
                if (result == SpfResult.None)
                    throw new SpfAbort(SpfResult.PermError, $"include:{target}: {explanation}");
                return result == SpfResult.Pass;
            }
            case SpfMechanism.A:
                return await AddressMatchesAsync(e, target, d, ct).ConfigureAwait(false);
            case SpfMechanism.Mx:
                return await MxMatchesAsync(e, target, d, ct).ConfigureAwait(false);
            case SpfMechanism.Ptr:
                return await PtrMatchesAsync(e, target, ct).ConfigureAwait(false);
            case SpfMechanism.Exists:
            {
                if (!IsCheckableDomain(target)) return false;
                var (answer, addresses) = await _dns.QueryAddressesAsync(target, ipv6: false, ct).ConfigureAwait(false);
                ThrowIfTemporary(answer, $"exists:{target}");
                CountVoid(e, answer);
                return addresses.Count > 0;
            }
            default:
                return false;
        }
    }

    private async Task<bool> AddressMatchesAsync(Evaluation e, string host, SpfDirective d, CancellationToken ct)
    {
        if (!IsCheckableDomain(host)) return false;
        var (answer, addresses) = await _dns.QueryAddressesAsync(host, e.IsIpv6, ct).ConfigureAwait(false);
        ThrowIfTemporary(answer, $"the addresses of {host}");
        CountVoid(e, answer);
        var length = e.IsIpv6 ? d.Cidr6 : d.Cidr4;
        foreach (var address in addresses)
            if (InNetwork(e.Client, address, length)) return true;
        return false;
    }

    private async Task<bool> MxMatchesAsync(Evaluation e, string domain, SpfDirective d, CancellationToken ct)
    {
        if (!IsCheckableDomain(domain)) return false;
        var (answer, exchanges) = await _dns.QueryMxNamesAsync(domain, ct).ConfigureAwait(false);
        ThrowIfTemporary(answer, $"the MX of {domain}");
        CountVoid(e, answer);
        if (exchanges.Count > NameLookupLimit)
            throw new SpfAbort(SpfResult.PermError, $"mx:{domain} has more than {NameLookupLimit} MX names (RFC 7208 4.6.4)");
        var length = e.IsIpv6 ? d.Cidr6 : d.Cidr4;
        foreach (var exchange in exchanges)
        {
            if (!IsCheckableDomain(exchange)) continue;
            var (a, addresses) = await _dns.QueryAddressesAsync(exchange, e.IsIpv6, ct).ConfigureAwait(false);
            ThrowIfTemporary(a, $"the addresses of {exchange}");
            foreach (var address in addresses)
                if (InNetwork(e.Client, address, length)) return true;
        }
        return false;
    }

    // §5.5: a DNS error on the PTR lookup means no match; names whose addresses fail to resolve are skipped.
    private async Task<bool> PtrMatchesAsync(Evaluation e, string target, CancellationToken ct)
    {
        foreach (var name in await ValidatedNamesAsync(e.Client, ct).ConfigureAwait(false))
            if (name.Equals(target, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + target, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    /// <summary>The client's PTR names (the first 10) whose forward lookup gives the client address back (§5.5).</summary>
    private async Task<List<string>> ValidatedNamesAsync(IPAddress client, CancellationToken ct)
    {
        var validated = new List<string>();
        var (answer, names) = await _dns.QueryPtrAsync(client, ct).ConfigureAwait(false);
        if (answer.Status != DnsAnswerStatus.Success) return validated;
        foreach (var name in names.Take(NameLookupLimit))
        {
            if (!IsCheckableDomain(name)) continue;
            var (a, addresses) = await _dns.QueryAddressesAsync(name, client.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6, ct).ConfigureAwait(false);
            if (a.Status != DnsAnswerStatus.Success) continue;
            foreach (var address in addresses)
            {
                if (!address.Equals(client)) continue;
                validated.Add(name);
                break;
            }
        }
        return validated;
    }

    /// <summary>%{p} (§7.3): the validated name equal to the domain, else one under it, else any, else "unknown".</summary>
    private async Task<string> ValidatedNameAsync(SpfMacroContext context, CancellationToken ct)
    {
        var names = await ValidatedNamesAsync(context.Client, ct).ConfigureAwait(false);
        return names.FirstOrDefault(n => n.Equals(context.Domain, StringComparison.OrdinalIgnoreCase))
            ?? names.FirstOrDefault(n => n.EndsWith("." + context.Domain, StringComparison.OrdinalIgnoreCase))
            ?? names.FirstOrDefault()
            ?? "unknown";
    }
}
