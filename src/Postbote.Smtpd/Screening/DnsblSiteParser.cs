using System.Globalization;
using Postbote.Core.Addressing;

namespace Postbote.Smtpd.Screening;

/// <summary>
/// Reads postscreen_dnsbl_sites entries: <c>domain[=filter][*weight]</c>, the filter four dot-separated octet
/// patterns, each a number or <c>[...]</c> holding ';'-separated numbers and <c>low..high</c> ranges; weight an
/// integer, 1 when absent (Postfix postconf(5)).
/// </summary>
public static class DnsblSiteParser
{
    public static bool TryParse(string text, out DnsblSite? site, out string? error)
    {
        site = null;
        error = null;
        text = text.Trim();
        int weight = 1;
        int star = text.LastIndexOf('*');
        if (star >= 0)
        {
            if (!int.TryParse(text.AsSpan(star + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out weight))
            {
                error = "has a weight that is not an integer (…*3 or …*-5)";
                return false;
            }
            text = text[..star];
        }
        string domain = text;
        (byte, byte)[][]? filter = null;
        int eq = text.IndexOf('=');
        if (eq >= 0)
        {
            domain = text[..eq];
            filter = ParseFilter(text[(eq + 1)..]);
            if (filter is null)
            {
                error = "has a filter that is not four octet patterns such as 127.0.0.[2..11]";
                return false;
            }
        }
        domain = domain.TrimEnd('.');
        if (domain.Length == 0 || !MailboxParser.IsDomain(domain, allowUtf8: false))
        {
            error = "does not start with a DNS zone name";
            return false;
        }
        site = new DnsblSite(domain.ToLowerInvariant(), filter, weight);
        return true;
    }

    private static (byte, byte)[][]? ParseFilter(string filter)
    {
        var octets = new List<(byte, byte)[]>(4);
        int pos = 0;
        while (pos <= filter.Length && octets.Count < 5)
        {
            string part;
            if (pos < filter.Length && filter[pos] == '[')
            {
                int close = filter.IndexOf(']', pos);
                if (close < 0) return null;
                part = filter[(pos + 1)..close];
                pos = close + 1;
                if (pos < filter.Length && filter[pos] != '.') return null;
            }
            else
            {
                int dot = filter.IndexOf('.', pos);
                part = dot < 0 ? filter[pos..] : filter[pos..dot];
                pos = dot < 0 ? filter.Length : dot;
            }
            var ranges = new List<(byte, byte)>();
            foreach (var item in part.Split(';'))
            {
                var bounds = item.Split("..");
                if (bounds.Length > 2 || !byte.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out byte low)) return null;
                byte high = low;
                if (bounds.Length == 2 && (!byte.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out high) || high < low)) return null;
                ranges.Add((low, high));
            }
            octets.Add(ranges.ToArray());
            if (pos >= filter.Length) break;
            pos++; // the dot
        }
        return octets.Count == 4 ? octets.ToArray() : null;
    }
}
