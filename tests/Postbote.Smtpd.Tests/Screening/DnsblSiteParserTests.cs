using System.Net;
using Postbote.Smtpd.Screening;

namespace Postbote.Smtpd.Tests.Screening;

/// <summary>postscreen_dnsbl_sites syntax (Postfix postconf(5)) and the lookup names of RFC 5782 §2.1/§2.4.</summary>
public sealed class DnsblSiteParserTests
{
    private static DnsblSite Parse(string text)
    {
        Assert.True(DnsblSiteParser.TryParse(text, out var site, out var error), error);
        return site!;
    }

    [Fact]
    public void SpamhausStyleEntry_FilterAndWeight()
    {
        var zen = Parse("zen.spamhaus.org=127.0.0.[2..11]*3");
        Assert.Equal("zen.spamhaus.org", zen.Domain);
        Assert.Equal(3, zen.Weight);
        Assert.True(zen.Matches(IPAddress.Parse("127.0.0.2")));
        Assert.True(zen.Matches(IPAddress.Parse("127.0.0.11")));
        Assert.False(zen.Matches(IPAddress.Parse("127.0.0.1")));
        Assert.False(zen.Matches(IPAddress.Parse("127.255.255.254")));
    }

    [Fact]
    public void DnswlStyleEntry_NegativeWeight_RangesInSeveralOctets()
    {
        var wl = Parse("list.dnswl.org=127.0.[0..255].[1..3]*-5");
        Assert.Equal(-5, wl.Weight);
        Assert.True(wl.Matches(IPAddress.Parse("127.0.10.3")));
        Assert.False(wl.Matches(IPAddress.Parse("127.0.10.0")));
    }

    [Fact]
    public void PlainZone_WeightOne_AnyAnswerListed_AndListsWithSemicolons()
    {
        var plain = Parse("bl.example");
        Assert.Equal(1, plain.Weight);
        Assert.True(plain.Matches(IPAddress.Parse("127.0.0.99")));
        var list = Parse("b.example=127.0.0.[2;4..5]");
        Assert.True(list.Matches(IPAddress.Parse("127.0.0.4")));
        Assert.False(list.Matches(IPAddress.Parse("127.0.0.3")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("zen.example=127.0.0")]
    [InlineData("zen.example=127.0.0.[2..]")]
    [InlineData("zen.example=127.0.0.[9..2]")]
    [InlineData("zen.example=127.0.0.256")]
    [InlineData("zen.example*x")]
    [InlineData("=127.0.0.2")]
    public void BrokenEntries_AreRefusedWithAReason(string text)
    {
        Assert.False(DnsblSiteParser.TryParse(text, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void QueryNames_ReversedOctets_AndIpv6Nibbles()
    {
        var site = Parse("zen.example");
        Assert.Equal("7.100.51.198.zen.example", site.QueryName(IPAddress.Parse("198.51.100.7")));
        Assert.Equal("7.100.51.198.zen.example", site.QueryName(IPAddress.Parse("::ffff:198.51.100.7")));
        Assert.Equal("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example", site.QueryName(IPAddress.Parse("2001:db8::1")));
    }
}
