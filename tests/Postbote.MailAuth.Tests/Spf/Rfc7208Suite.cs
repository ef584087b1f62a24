using System.Net;
using System.Text.Json;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Postbote.TestSupport;

namespace Postbote.MailAuth.Tests.Spf;

/// <summary>The openspf RFC 7208 test suite (Data/rfc7208-tests.json, converted from the .yml beside it).</summary>
internal static class Rfc7208Suite
{
    private static readonly Lazy<JsonElement> Documents = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "rfc7208-tests.json"))).RootElement);

    /// <summary>
    /// Tests not run through the loopback DNS server: their records hold bytes above 0x7F, which ARSoft.Tools.Net's
    /// server encodes as '?', so the server cannot publish them. SpfRecordTests covers the rule (§3.1: permerror) directly.
    /// </summary>
    public static readonly IReadOnlySet<string> Skipped = new HashSet<string> { "non-ascii-policy", "non-ascii-mech", "non-ascii-result" };

    /// <summary>Every (scenario index, test name) pair, less <see cref="Skipped"/>.</summary>
    public static IEnumerable<object[]> Cases() => AllCases().Where(c => !Skipped.Contains((string)c[1]));

    /// <summary>Every (scenario index, test name) pair of the suite.</summary>
    public static IEnumerable<object[]> AllCases()
    {
        var index = 0;
        foreach (var doc in Documents.Value.EnumerateArray())
        {
            foreach (var test in doc.GetProperty("tests").EnumerateObject()) yield return new object[] { index, test.Name };
            index++;
        }
    }

    public static JsonElement Scenario(int index) => Documents.Value[index];

    /// <summary>
    /// Loads a scenario's zonedata as the suite's drivers do (pyspf's testspf.py): SPF records are served as TXT unless
    /// the name has TXT records of its own, "NONE" means the name exists without that record, TIMEOUT never answers.
    /// </summary>
    public static void Load(TestDnsServer dns, JsonElement scenario)
    {
        if (!scenario.TryGetProperty("zonedata", out var zone)) return;
        foreach (var name in zone.EnumerateObject())
        {
            DomainName owner;
            try
            {
                owner = DomainName.Parse(name.Name.TrimEnd('.'));
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                continue; // a name DNS cannot carry (e.g. a label over 63 octets) simply does not exist
            }
            dns.AddEmptyName(name.Name);
            var entries = name.Value.EnumerateArray().ToList();
            var hasTxt = entries.Any(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("TXT", out _));
            foreach (var entry in entries)
            {
                if (entry.ValueKind == JsonValueKind.String)
                {
                    // testspf.py: types with records listed before TIMEOUT answer, every other type times out.
                    if (entry.GetString() == "TIMEOUT") dns.SetSilentForMissingTypes(name.Name);
                    continue;
                }
                foreach (var rr in entry.EnumerateObject())
                {
                    DnsRecordBase? record;
                    try
                    {
                        record = Record(owner, rr.Name, rr.Value, hasTxt);
                    }
                    catch (Exception ex) when (ex is ArgumentException or FormatException)
                    {
                        continue; // rdata DNS cannot carry (a target name that is no domain name)
                    }
                    if (record is not null) dns.AddRecord(record);
                }
            }
        }
    }

    private static DnsRecordBase? Record(DomainName owner, string type, JsonElement value, bool hasTxt)
    {
        switch (type)
        {
            case "TXT":
            case "SPF" when !hasTxt:
                var strings = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(s => s.GetString()!).ToArray() : new[] { value.GetString()! };
                if (strings is ["NONE"]) return null;
                return new TxtRecord(owner, 300, strings.SelectMany(Chunks));
            case "A":
                return new ARecord(owner, 300, IPAddress.Parse(value.GetString()!));
            case "AAAA":
                return new AaaaRecord(owner, 300, IPAddress.Parse(value.GetString()!));
            case "MX":
                return new MxRecord(owner, 300, (ushort)value[0].GetInt32(), value[1].GetString() is { Length: > 0 } exchange ? DomainName.Parse(exchange.TrimEnd('.')) : DomainName.Root);
            case "PTR":
                return new PtrRecord(owner, 300, DomainName.Parse(value.GetString()!.TrimEnd('.')));
            case "CNAME":
                return new CNameRecord(owner, 300, DomainName.Parse(value.GetString()!.TrimEnd('.')));
            default:
                return null; // type SPF (99): RFC 7208 §3.1 clients query TXT only
        }
    }

    // A character-string carries at most 255 octets (RFC 1035 §3.3).
    private static IEnumerable<string> Chunks(string s)
    {
        if (s.Length == 0) yield return s;
        for (var i = 0; i < s.Length; i += 255) yield return s.Substring(i, Math.Min(255, s.Length - i));
    }
}
