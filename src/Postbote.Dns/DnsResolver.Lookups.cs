using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Postbote.Dns;

// Typed lookups over QueryAsync, in the shapes SPF and the admin checks need.
public sealed partial class DnsResolver
{
    /// <summary>
    /// The TXT records of <paramref name="name"/>, each one string: the character-strings of one record joined with
    /// nothing between them (RFC 7208 §3.3, RFC 7489 §6.6.3).
    /// </summary>
    public async Task<(DnsAnswer Answer, IReadOnlyList<string> Texts)> QueryTxtAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await QueryAsync(name, RecordType.Txt, cancellationToken).ConfigureAwait(false);
        var texts = new List<string>();
        foreach (var txt in answer.RecordsOf<TxtRecord>()) texts.Add(string.Concat(txt.TextParts));
        return (answer, texts);
    }

    /// <summary>The addresses of <paramref name="name"/>: A records, or AAAA when <paramref name="ipv6"/>.</summary>
    public async Task<(DnsAnswer Answer, IReadOnlyList<IPAddress> Addresses)> QueryAddressesAsync(string name, bool ipv6, CancellationToken cancellationToken)
    {
        var answer = await QueryAsync(name, ipv6 ? RecordType.Aaaa : RecordType.A, cancellationToken).ConfigureAwait(false);
        var addresses = new List<IPAddress>();
        foreach (var r in answer.Records)
        {
            if (r is ARecord a) addresses.Add(a.Address);
            else if (r is AaaaRecord aaaa) addresses.Add(aaaa.Address);
        }
        return (answer, addresses);
    }

    /// <summary>The exchange names of <paramref name="name"/>'s MX records, lowest preference first.</summary>
    public async Task<(DnsAnswer Answer, IReadOnlyList<string> Exchanges)> QueryMxNamesAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await QueryAsync(name, RecordType.Mx, cancellationToken).ConfigureAwait(false);
        var mx = answer.RecordsOf<MxRecord>().OrderBy(m => m.Preference).Select(m => m.ExchangeDomainName.ToString().TrimEnd('.')).ToList();
        return (answer, mx);
    }

    /// <summary>The PTR names of <paramref name="address"/> (in-addr.arpa / ip6.arpa), without the final dot.</summary>
    public async Task<(DnsAnswer Answer, IReadOnlyList<string> Names)> QueryPtrAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var answer = await QueryAsync(address.GetReverseLookupDomain().ToString(), RecordType.Ptr, cancellationToken).ConfigureAwait(false);
        var names = answer.RecordsOf<PtrRecord>().Select(p => p.PointerDomainName.ToString().TrimEnd('.')).ToList();
        return (answer, names);
    }
}
