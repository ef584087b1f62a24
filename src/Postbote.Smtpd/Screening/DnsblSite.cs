using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postbote.Smtpd.Screening;

/// <summary>
/// One DNS list of Postfix's postscreen_dnsbl_sites: its zone, an optional filter on the answer address (per octet,
/// lists of numbers and ranges), and a weight (negative for an allow list, DNSWL).
/// </summary>
public sealed class DnsblSite
{
    private readonly (byte Low, byte High)[][]? _filter;

    public DnsblSite(string domain, (byte Low, byte High)[][]? filter, int weight)
    {
        Domain = domain;
        _filter = filter;
        Weight = weight;
    }

    public string Domain { get; }
    public int Weight { get; }

    /// <summary>The name to look up: reversed octets (RFC 5782 §2.1) or nibbles (§2.4) under the zone.</summary>
    public string QueryName(IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        var b = client.GetAddressBytes();
        var name = new StringBuilder(80);
        if (client.AddressFamily == AddressFamily.InterNetwork)
            name.Append(b[3]).Append('.').Append(b[2]).Append('.').Append(b[1]).Append('.').Append(b[0]);
        else
            for (int i = 15; i >= 0; i--)
            {
                if (i != 15) name.Append('.');
                name.Append("0123456789abcdef"[b[i] & 0xF]).Append('.').Append("0123456789abcdef"[b[i] >> 4]);
            }
        return name.Append('.').Append(Domain).ToString();
    }

    /// <summary>Whether an A record answer counts as a listing (every answer counts when there is no filter).</summary>
    public bool Matches(IPAddress answer)
    {
        if (_filter is null) return true;
        if (answer.AddressFamily != AddressFamily.InterNetwork) return false;
        var b = answer.GetAddressBytes();
        for (int i = 0; i < 4; i++)
        {
            bool any = false;
            foreach (var (low, high) in _filter[i])
                if (b[i] >= low && b[i] <= high) { any = true; break; }
            if (!any) return false;
        }
        return true;
    }
}
