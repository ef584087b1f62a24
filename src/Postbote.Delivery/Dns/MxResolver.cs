using Postbote.Dns;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;

namespace Postbote.Delivery.Dns;

/// <summary>
/// Turns a destination domain into the ordered list of hosts an SMTP client tries (RFC 5321 §5.1):
/// MX records by preference with equal preferences shuffled, the domain itself as implicit MX when it has
/// no MX, null MX (RFC 7505) refused, hosts without address skipped, and lists leading back to this server
/// cut or refused as a mail loop.
/// </summary>
public sealed class MxResolver
{
    private readonly DnsResolver _dns;
    private readonly MxResolverOptions _options;
    private readonly Random _random;
    private readonly ILogger? _logger;

    /// <summary>Creates a resolver.</summary>
    /// <param name="dns">The DNS stub resolver.</param>
    /// <param name="options">Who this server is; null for no loop detection.</param>
    /// <param name="random">Source for shuffling equal preferences; inject a seeded one in tests.</param>
    /// <param name="logger">Optional logger.</param>
    public MxResolver(DnsResolver dns, MxResolverOptions? options = null, Random? random = null, ILogger? logger = null)
    {
        _dns = dns ?? throw new ArgumentNullException(nameof(dns));
        _options = options ?? new MxResolverOptions();
        _random = random ?? Random.Shared;
        _logger = logger;
    }

    /// <summary>Resolves the route for mail to <paramref name="domain"/>.</summary>
    public async Task<MxRoute> ResolveAsync(string domain, CancellationToken cancellationToken)
    {
        domain = Normalize(domain);
        // Only "[10.0.0.1]" is an address literal (RFC 5321 §4.1.3); "10.0.0.1" in a recipient is a domain name.
        if (TryAddressLiteral(domain, bareAddress: false, out var literal))
            return CheckImplicitLoop(domain, new MxHost(domain, 0, new[] { literal }));

        var mx = await _dns.QueryAsync(domain, RecordType.Mx, cancellationToken).ConfigureAwait(false);
        switch (mx.Status)
        {
            case DnsAnswerStatus.TemporaryFailure:
                return MxRoute.Failed(domain, false, "4.4.3", $"DNS lookup of MX for {domain} failed: {mx.Detail}");
            case DnsAnswerStatus.NxDomain:
                return MxRoute.Failed(domain, true, "5.1.2", $"Domain {domain} does not exist (NXDOMAIN)");
            case DnsAnswerStatus.NoData:
                return await ResolveImplicitMxAsync(domain, cancellationToken).ConfigureAwait(false);
        }

        var records = mx.RecordsOf<MxRecord>().ToList();
        if (records.Any(r => r.ExchangeDomainName.LabelCount == 0 || Normalize(r.ExchangeDomainName.ToString()).Length == 0))
            return MxRoute.Failed(domain, true, "5.1.10", $"Domain {domain} does not accept mail (null MX, RFC 7505)");

        var ordered = records
            .GroupBy(r => r.Preference)
            .OrderBy(g => g.Key)
            .SelectMany(g => Shuffle(g.Select(r => (Name: Normalize(r.ExchangeDomainName.ToString()), Preference: (int)r.Preference))))
            .DistinctBy(h => h.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();

        // RFC 5321 §5.1: if this host is among the MX, drop it and every host of equal or worse preference.
        var localPreference = ordered.Where(h => _options.LocalHostnames.Contains(h.Name)).Select(h => (int?)h.Preference).Min();
        var candidates = localPreference is int lp ? ordered.Where(h => h.Preference < lp).ToList() : ordered;

        var lookups = candidates.Select(h => LookupAddressesAsync(h.Name, cancellationToken)).ToList();
        var results = await Task.WhenAll(lookups).ConfigureAwait(false);

        for (var i = 0; i < candidates.Count; i++)
        {
            if (results[i].Addresses.Any(_options.LocalAddresses.Contains))
                localPreference = Math.Min(localPreference ?? int.MaxValue, candidates[i].Preference);
        }

        var hosts = new List<MxHost>();
        var anyTemporary = false;
        var lastDetail = "";
        for (var i = 0; i < candidates.Count; i++)
        {
            if (localPreference is int local && candidates[i].Preference >= local)
                continue;
            var (addresses, temporary, detail) = results[i];
            if (addresses.Count == 0)
            {
                anyTemporary |= temporary;
                lastDetail = detail;
                _logger?.LogDebug("MX host {Host} of {Domain} skipped: {Detail}", candidates[i].Name, domain, detail);
                continue;
            }
            hosts.Add(new MxHost(candidates[i].Name, candidates[i].Preference, addresses));
        }

        if (hosts.Count > 0)
            return new MxRoute(domain, hosts, null);
        if (localPreference is not null && !anyTemporary)
            return MxRoute.Failed(domain, true, "5.4.6", $"Mail for {domain} loops back to myself (best MX is this server)");
        return anyTemporary
            ? MxRoute.Failed(domain, false, "4.4.3", $"No MX host of {domain} could be resolved: {lastDetail}")
            : MxRoute.Failed(domain, true, "5.4.4", $"No MX host of {domain} has an address: {lastDetail}");
    }

    /// <summary>
    /// Resolves one named host without MX lookup (a relayhost "[host]" in Postfix terms): an address literal is
    /// used as is, a name is looked up for A/AAAA.
    /// </summary>
    public async Task<MxRoute> ResolveHostAsync(string host, CancellationToken cancellationToken)
    {
        host = Normalize(host);
        // The operator's relayhost may name a bare address ("10.0.0.1"): configuration, not a recipient's domain.
        if (TryAddressLiteral(host, bareAddress: true, out var literal))
            return MxRoute.Single(host, new MxHost(host, 0, new[] { literal }));
        var (addresses, temporary, detail) = await LookupAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Count > 0)
            return MxRoute.Single(host, new MxHost(host, 0, addresses));
        return temporary
            ? MxRoute.Failed(host, false, "4.4.3", $"Address lookup of {host} failed: {detail}")
            : MxRoute.Failed(host, true, "5.4.4", $"Host {host} has no address: {detail}");
    }

    private async Task<MxRoute> ResolveImplicitMxAsync(string domain, CancellationToken cancellationToken)
    {
        var (addresses, temporary, detail) = await LookupAddressesAsync(domain, cancellationToken).ConfigureAwait(false);
        if (addresses.Count == 0)
        {
            return temporary
                ? MxRoute.Failed(domain, false, "4.4.3", $"Address lookup of {domain} failed: {detail}")
                : MxRoute.Failed(domain, true, "5.4.4", $"Domain {domain} has neither MX nor address records");
        }
        return CheckImplicitLoop(domain, new MxHost(domain, 0, addresses)) with { IsImplicitMx = true };
    }

    private MxRoute CheckImplicitLoop(string domain, MxHost host)
    {
        if (_options.LocalHostnames.Contains(host.Name) || host.Addresses.Any(_options.LocalAddresses.Contains))
            return MxRoute.Failed(domain, true, "5.4.6", $"Mail for {domain} loops back to myself");
        return MxRoute.Single(domain, host);
    }

    private async Task<(IReadOnlyList<IPAddress> Addresses, bool Temporary, string Detail)> LookupAddressesAsync(string host, CancellationToken cancellationToken)
    {
        var aTask = _dns.QueryAsync(host, RecordType.A, cancellationToken);
        var aaaaTask = _options.UseIPv6
            ? _dns.QueryAsync(host, RecordType.Aaaa, cancellationToken)
            : Task.FromResult(new DnsAnswer(DnsAnswerStatus.NoData, Array.Empty<DnsRecordBase>(), "IPv6 disabled"));
        var a = await aTask.ConfigureAwait(false);
        var aaaa = await aaaaTask.ConfigureAwait(false);
        var addresses = a.RecordsOf<ARecord>().Select(r => r.Address)
            .Concat(aaaa.RecordsOf<AaaaRecord>().Select(r => r.Address))
            .Distinct()
            .ToList();
        var temporary = a.Status == DnsAnswerStatus.TemporaryFailure || aaaa.Status == DnsAnswerStatus.TemporaryFailure;
        var detail = a.Status == DnsAnswerStatus.TemporaryFailure ? a.Detail : aaaa.Status == DnsAnswerStatus.TemporaryFailure ? aaaa.Detail : a.Detail;
        return (addresses, temporary, detail);
    }

    private IEnumerable<(string Name, int Preference)> Shuffle(IEnumerable<(string Name, int Preference)> group)
    {
        var items = group.ToArray();
        _random.Shuffle(items);
        return items;
    }

    private static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();

    private static bool TryAddressLiteral(string name, bool bareAddress, out IPAddress address)
    {
        bool bracketed = name.StartsWith('[') && name.EndsWith(']');
        if (!bracketed && !bareAddress)
        {
            address = IPAddress.None;
            return false;
        }
        var inner = bracketed ? name[1..^1] : name;
        if (inner.StartsWith("ipv6:", StringComparison.OrdinalIgnoreCase))
            inner = inner[5..];
        return IPAddress.TryParse(inner, out address!) && (inner.Contains(':') || inner.Count(c => c == '.') == 3);
    }
}
