using Postbote.MailAuth.Dmarc;

namespace Postbote.MailAuth.Tests.Dmarc;

/// <summary>RFC 7489 §6.3 and §6.4: the record grammar, defaults, and what an invalid record means (§6.6.3).</summary>
public sealed class DmarcRecordTests
{
    [Theory]
    [InlineData("v=DMARC1; p=reject", true)]
    [InlineData("v=DMARC1", true)]
    [InlineData("  v = DMARC1 ;p=none", true)]
    [InlineData("v=DMARC1;p=none", true)]
    [InlineData("v=spf1 -all", false)]
    [InlineData("p=reject; v=DMARC1", false)] // v= must come first (§6.4)
    [InlineData("v=DMARC10; p=reject", false)]
    [InlineData("v=dmarc1; p=reject", false)] // "DMARC1" as registered
    public void IsDmarc_recognises_records_that_start_with_v_DMARC1(string text, bool expected)
        => Assert.Equal(expected, DmarcRecord.IsDmarc(text));

    [Fact]
    public void Defaults_are_relaxed_alignment_pct_100_and_no_subdomain_policy()
    {
        var r = DmarcRecord.Parse("v=DMARC1; p=quarantine", out var error);
        Assert.NotNull(r);
        Assert.Equal("", error);
        Assert.Equal(DmarcPolicy.Quarantine, r.Policy);
        Assert.Null(r.SubdomainPolicy);
        Assert.Equal(100, r.Percent);
        Assert.False(r.StrictDkim);
        Assert.False(r.StrictSpf);
        Assert.False(r.Testing);
    }

    [Fact]
    public void Every_tag_is_read_and_unknown_tags_are_ignored()
    {
        var r = DmarcRecord.Parse("v=DMARC1; p=REJECT; sp=none; pct=25; adkim=s; aspf=s; t=y; rua=mailto:d@example.org; x-future=1", out _);
        Assert.NotNull(r);
        Assert.Equal(DmarcPolicy.Reject, r.Policy);
        Assert.Equal(DmarcPolicy.None, r.SubdomainPolicy);
        Assert.Equal(25, r.Percent);
        Assert.True(r.StrictDkim);
        Assert.True(r.StrictSpf);
        Assert.True(r.Testing);
        Assert.Equal("mailto:d@example.org", r.ReportUris);
    }

    [Theory]
    [InlineData("v=DMARC1; p=reject; pct=150")]
    [InlineData("v=DMARC1; p=reject; pct=-1")]
    [InlineData("v=DMARC1; p=reject; pct=half")]
    public void An_invalid_pct_is_taken_as_100(string text) => Assert.Equal(100, DmarcRecord.Parse(text, out _)!.Percent);

    [Theory]
    [InlineData("v=DMARC1", "no p= tag")]
    [InlineData("v=DMARC1; p=block", "invalid p=block")]
    [InlineData("v=DMARC1; p=reject; sp=maybe", "invalid sp=")]
    public void Without_a_valid_p_the_record_is_unusable(string text, string expected)
    {
        Assert.Null(DmarcRecord.Parse(text, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Rfc7489_6_6_3_an_invalid_p_with_a_report_address_is_taken_as_p_none()
    {
        var r = DmarcRecord.Parse("v=DMARC1; p=bogus; rua=mailto:reports@example.org", out var error);
        Assert.NotNull(r);
        Assert.Equal("", error);
        Assert.Equal(DmarcPolicy.None, r.Policy);
    }
}
