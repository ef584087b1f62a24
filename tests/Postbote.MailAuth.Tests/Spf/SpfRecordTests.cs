using System.Net;
using Postbote.MailAuth.Spf;

namespace Postbote.MailAuth.Tests.Spf;

public sealed class SpfRecordTests
{
    [Theory]
    [InlineData("v=spf1 \u0080a:example.net -all")]
    [InlineData("v=spf1 a:\u00ef\u00bb\u00bfgarbage.example.net -all")]
    [InlineData("v=spf1 -all exp=\u00e9.example.com")]
    public void A_record_with_bytes_above_0x7F_is_a_syntax_error_RFC7208_3_1(string txt)
        => Assert.Null(SpfRecord.Parse(txt, out _));

    [Theory]
    [InlineData("v=spf1 ip4:192.0.2.0/24 a mx ptr exists:%{i}.x.example include:_spf.example.com ~all", 7)]
    [InlineData("v=spf1 a/24//64 mx:example.org/28 -all", 3)]
    [InlineData("v=spf1 ip6:2001:db8::/32 ?all unknown-mod=foo", 2)]
    public void Well_formed_records_parse(string txt, int directives)
        => Assert.Equal(directives, SpfRecord.Parse(txt, out _)!.Directives.Count);

    [Theory]
    [InlineData("v=spf1 redirect=a.example.com redirect=b.example.com")]
    [InlineData("v=spf1 exp=a.example.com exp=b.example.com -all")]
    [InlineData("v=spf1 ip4:192.0.2.0/33")]
    [InlineData("v=spf1 ip4:192.0.2.0/024")]
    [InlineData("v=spf1 ip6:2001:db8::/129")]
    [InlineData("v=spf1 a:example.123")]
    [InlineData("v=spf1 include")]
    [InlineData("v=spf1 all:foo")]
    [InlineData("v=spf1 foo:bar")]
    public void Malformed_records_are_refused_RFC7208_4_6(string txt) => Assert.Null(SpfRecord.Parse(txt, out _));

    [Theory]
    [InlineData("v=spf1", true)]
    [InlineData("V=SPF1 -all", true)]
    [InlineData("v=spf10 -all", false)]
    [InlineData("v=spf1-all", false)]
    public void Only_v_spf1_followed_by_a_space_or_the_end_is_an_SPF_record_RFC7208_4_5(string txt, bool isSpf)
        => Assert.Equal(isSpf, SpfRecord.IsSpfRecord(txt));

    [Theory]
    [InlineData("192.0.2.200", "192.0.2.128", 25, true)]
    [InlineData("192.0.2.100", "192.0.2.128", 25, false)]
    [InlineData("2001:db8::1", "2001:db8::", 32, true)]
    [InlineData("192.0.2.1", "2001:db8::", 0, false)]
    [InlineData("203.0.113.9", "0.0.0.0", 0, true)]
    public void CIDR_lengths_match_on_the_leading_bits_RFC7208_5_6(string address, string network, int length, bool inside)
        => Assert.Equal(inside, SpfEvaluator.InNetwork(IPAddress.Parse(address), IPAddress.Parse(network), length));
}
