using System.Collections.Concurrent;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Postbote.TestSupport;

// TXT with several character-strings, PTR, CNAME, records with a chosen TTL, and an SOA for negative answers (RFC 2308).
public sealed partial class TestDnsServer
{
    private readonly ConcurrentDictionary<string, SoaRecord> _soas = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _silentForMissing = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _hanging = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopHanging = new();

    /// <summary>
    /// Holds every query for <paramref name="name"/> unanswered until the server is disposed, so the client really
    /// times out (a handler that returns without a response makes ARSoft's server answer SERVFAIL, see SetSilent).
    /// </summary>
    public TestDnsServer SetHanging(string name)
    {
        _hanging[Key(name)] = true;
        return this;
    }

    private async Task HangAsync()
    {
        try
        {
            await Task.Delay(Timeout.Infinite, _stopHanging.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Adds any record (its own name and TTL).</summary>
    public TestDnsServer AddRecord(DnsRecordBase record) => Add(record);

    /// <summary>Adds a TXT record made of several character-strings (RFC 7208 §3.3 joins them).</summary>
    public TestDnsServer AddTxtStrings(string name, params string[] strings)
        => Add(new TxtRecord(DomainName.Parse(name), 300, strings));

    /// <summary>Adds a PTR record for <paramref name="address"/> (its in-addr.arpa / ip6.arpa name) pointing at <paramref name="target"/>.</summary>
    public TestDnsServer AddPtr(string address, string target)
        => Add(new PtrRecord(IPAddress.Parse(address).GetReverseLookupDomain(), 300, DomainName.Parse(target)));

    /// <summary>Adds a CNAME; queries of other types for <paramref name="name"/> are answered with it and the target's records.</summary>
    public TestDnsServer AddCname(string name, string target)
        => Add(new CNameRecord(DomainName.Parse(name), 300, DomainName.Parse(target)));

    /// <summary>
    /// Puts an SOA with <paramref name="minimum"/> (and TTL <paramref name="ttl"/>) in the authority section of NXDOMAIN
    /// and NODATA answers for <paramref name="zone"/> and the names under it, as RFC 2308 §3 asks of a server.
    /// </summary>
    public TestDnsServer SetNegativeSoa(string zone, int minimum, int ttl = 3600)
    {
        var apex = DomainName.Parse(zone);
        _soas[Key(zone)] = new SoaRecord(apex, ttl, DomainName.Parse("ns." + Key(zone)), DomainName.Parse("hostmaster." + Key(zone)),
            1, 3600, 600, 86400, minimum);
        return this;
    }

    /// <summary>Answers queries for <paramref name="name"/> only for types it has records of; the others time out.</summary>
    public TestDnsServer SetSilentForMissingTypes(string name)
    {
        _silentForMissing[Key(name)] = true;
        return this;
    }

    private bool IsSilentFor(string key, RecordType type)
    {
        if (!_silentForMissing.ContainsKey(key)) return false;
        if (!_records.TryGetValue(key, out var list)) return true;
        lock (list)
            return !list.Any(r => r.RecordType == type);
    }

    private void AddCnameTarget(DnsMessage response, List<DnsRecordBase> list, RecordType type)
    {
        if (type == RecordType.CName) return;
        CNameRecord? cname;
        lock (list)
            cname = list.OfType<CNameRecord>().FirstOrDefault();
        if (cname is null) return;
        response.AnswerRecords.Add(cname);
        if (!_records.TryGetValue(Key(cname.CanonicalName.ToString()), out var target)) return;
        lock (target)
            response.AnswerRecords.AddRange(target.Where(r => r.RecordType == type));
    }

    private void AddNegativeSoa(DnsMessage response, string key)
    {
        for (var name = key; name.Length > 0; name = name.IndexOf('.') is var dot and >= 0 ? name[(dot + 1)..] : "")
        {
            if (_soas.TryGetValue(name, out var soa))
            {
                response.AuthorityRecords.Add(soa);
                return;
            }
        }
    }
}
