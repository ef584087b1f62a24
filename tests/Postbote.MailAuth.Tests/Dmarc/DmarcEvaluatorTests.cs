using System.Text;
using Postbote.Core.Smtp;
using Postbote.Dns;
using Postbote.MailAuth.Dkim;
using Postbote.MailAuth.Dmarc;
using Postbote.MailAuth.Spf;
using Postbote.TestSupport;

namespace Postbote.MailAuth.Tests.Dmarc;

/// <summary>RFC 7489 §3.1 (alignment), §6.6.1 (author), §6.6.2-§6.6.4 (discovery, policy, pct), records from a test DNS server.</summary>
public sealed class DmarcEvaluatorTests : IDisposable
{
    private static readonly PublicSuffixList Suffixes = PublicSuffixList.Parse(["com", "org", "test", "co.uk", "uk"]);
    private readonly TestDnsServer _dns = new TestDnsServer()
        .AddTxt("_dmarc.example.org", "v=DMARC1; p=reject; sp=quarantine")
        .AddTxt("_dmarc.strict.test", "v=DMARC1; p=reject; adkim=s; aspf=s")
        .AddTxt("_dmarc.own.example.org", "v=DMARC1; p=none")
        .AddTxt("_dmarc.half.test", "v=DMARC1; p=reject; pct=50")
        .AddTxt("_dmarc.quarter.test", "v=DMARC1; p=quarantine; pct=0")
        .AddTxt("_dmarc.testing.test", "v=DMARC1; p=reject; t=y")
        .AddTxt("_dmarc.twice.test", "v=DMARC1; p=reject")
        .AddTxt("_dmarc.twice.test", "v=DMARC1; p=none")
        .AddTxt("_dmarc.mixed.test", "some-verification=abc")
        .AddTxt("_dmarc.mixed.test", "v=DMARC1; p=reject")
        .AddTxt("_dmarc.shop.co.uk", "v=DMARC1; p=reject")
        .SetServFail("_dmarc.down.test")
        .SetHanging("_dmarc.hang.test");
    private int _sample;

    public void Dispose() => _dns.Dispose();

    private DmarcEvaluator Evaluator() => new(
        new DnsResolver(new DnsOptions { Servers = [_dns.Endpoint], QueryTimeout = TimeSpan.FromSeconds(5) }), Suffixes, () => _sample);

    private static SpfCheck Spf(SpfResult result, string domain) => new(result, "mailfrom", domain, "");
    private static DkimCheck Dkim(DkimResult result, string domain) => new(result, domain, "s1", "rsa-sha256", "");

    private Task<DmarcVerdict> CheckAsync(string from, SpfCheck? spf, params DkimCheck[] dkim) =>
        Evaluator().CheckAsync(DmarcAuthor.FromField(from), spf, dkim, CancellationToken.None);

    [Fact]
    public async Task No_aligned_pass_under_p_reject_fails_with_the_reject_disposition()
    {
        var c = (await CheckAsync("Bill <bill@example.org>", Spf(SpfResult.Fail, "example.org"))).Decisive;
        Assert.Equal(DmarcResult.Fail, c.Result);
        Assert.Equal(DmarcPolicy.Reject, c.Policy);
        Assert.Equal(DmarcPolicy.Reject, c.Disposition);
        Assert.Equal("example.org", c.PolicyDomain);
        Assert.Equal("example.org", c.FromDomain);
        Assert.Equal("no SPF or DKIM pass for example.org", c.Reason);
    }

    [Fact]
    public async Task Rfc7489_3_1_1_relaxed_a_DKIM_pass_of_a_parent_or_sibling_domain_aligns()
    {
        var c = (await CheckAsync("news@news.example.org", null, Dkim(DkimResult.Pass, "mail.example.org"))).Decisive;
        Assert.Equal(DmarcResult.Pass, c.Result);
        Assert.Equal(DmarcPolicy.None, c.Disposition);
        Assert.Equal("DKIM d=mail.example.org aligned", c.Reason);
    }

    [Fact]
    public async Task A_pass_of_another_domain_does_not_align()
    {
        var c = (await CheckAsync("bill@example.org", Spf(SpfResult.Pass, "attacker.com"), Dkim(DkimResult.Pass, "attacker.com"))).Decisive;
        Assert.Equal(DmarcResult.Fail, c.Result);
        Assert.Equal(DmarcPolicy.Reject, c.Disposition);
        Assert.Equal("no pass aligned with example.org (d=attacker.com, SPF attacker.com not aligned)", c.Reason);
    }

    [Fact]
    public async Task Org_domains_under_a_multi_label_suffix_do_not_align_with_each_other()
    {
        var c = (await CheckAsync("a@shop.co.uk", null, Dkim(DkimResult.Pass, "other.co.uk"))).Decisive;
        Assert.Equal(DmarcResult.Fail, c.Result);
    }

    [Fact]
    public async Task Rfc7489_3_1_2_relaxed_an_SPF_pass_of_a_subdomain_aligns_and_a_failing_DKIM_does_not_matter()
    {
        var c = (await CheckAsync("bill@example.org", Spf(SpfResult.Pass, "bounces.example.org"), Dkim(DkimResult.Fail, "example.org"))).Decisive;
        Assert.Equal(DmarcResult.Pass, c.Result);
        Assert.Equal("SPF mailfrom=bounces.example.org aligned", c.Reason);
    }

    [Fact]
    public async Task Strict_alignment_adkim_s_aspf_s_wants_the_exact_domain()
    {
        var sub = (await CheckAsync("a@strict.test", Spf(SpfResult.Pass, "mail.strict.test"), Dkim(DkimResult.Pass, "mail.strict.test"))).Decisive;
        Assert.Equal(DmarcResult.Fail, sub.Result);
        var exact = (await CheckAsync("a@strict.test", null, Dkim(DkimResult.Pass, "STRICT.test"))).Decisive;
        Assert.Equal(DmarcResult.Pass, exact.Result);
        var spf = (await CheckAsync("a@strict.test", Spf(SpfResult.Pass, "strict.test"))).Decisive;
        Assert.Equal(DmarcResult.Pass, spf.Result);
    }

    [Fact]
    public async Task Rfc7489_6_6_3_a_subdomain_without_a_record_gets_the_organisational_domains_sp()
    {
        var c = (await CheckAsync("x@deep.sub.example.org", null)).Decisive;
        Assert.Equal(DmarcResult.Fail, c.Result);
        Assert.Equal(DmarcPolicy.Quarantine, c.Policy);
        Assert.Equal(DmarcPolicy.Quarantine, c.Disposition);
        Assert.Equal("example.org", c.PolicyDomain);
        Assert.Contains("_dmarc.deep.sub.example.org/Txt", _dns.Queries);
        Assert.Contains("_dmarc.example.org/Txt", _dns.Queries);
        Assert.DoesNotContain("_dmarc.sub.example.org/Txt", _dns.Queries); // RFC 7489 goes straight to the organisational domain
    }

    [Fact]
    public async Task A_subdomain_with_its_own_record_gets_its_p()
    {
        var c = (await CheckAsync("x@own.example.org", null)).Decisive;
        Assert.Equal(DmarcResult.Fail, c.Result);
        Assert.Equal(DmarcPolicy.None, c.Policy);
        Assert.Equal(DmarcPolicy.None, c.Disposition);
        Assert.Equal("own.example.org", c.PolicyDomain);
    }

    [Theory]
    [InlineData(0, DmarcPolicy.Reject, false)]
    [InlineData(49, DmarcPolicy.Reject, false)]
    [InlineData(50, DmarcPolicy.Quarantine, true)]
    [InlineData(99, DmarcPolicy.Quarantine, true)]
    public async Task Rfc7489_6_6_4_pct_applies_the_policy_to_its_share_and_the_next_less_strict_to_the_rest(int sample, DmarcPolicy expected, bool sampled)
    {
        _sample = sample;
        var c = (await CheckAsync("a@half.test", null)).Decisive;
        Assert.Equal(DmarcResult.Fail, c.Result);
        Assert.Equal(DmarcPolicy.Reject, c.Policy);
        Assert.Equal(expected, c.Disposition);
        Assert.Equal(sampled, c.Sampled);
    }

    [Fact]
    public async Task Pct_0_lowers_quarantine_to_none_and_t_y_lowers_reject_to_quarantine()
    {
        var quarter = (await CheckAsync("a@quarter.test", null)).Decisive;
        Assert.Equal((DmarcResult.Fail, DmarcPolicy.Quarantine, DmarcPolicy.None), (quarter.Result, quarter.Policy!.Value, quarter.Disposition));
        var testing = (await CheckAsync("a@testing.test", null)).Decisive;
        Assert.Equal((DmarcResult.Fail, DmarcPolicy.Reject, DmarcPolicy.Quarantine), (testing.Result, testing.Policy!.Value, testing.Disposition));
    }

    [Fact]
    public async Task No_record_is_none_and_several_records_are_no_policy()
    {
        var none = (await CheckAsync("a@nowhere.test", null)).Decisive;
        Assert.Equal(DmarcResult.None, none.Result);
        Assert.Null(none.Policy);
        Assert.Equal("no record at _dmarc.nowhere.test", none.Reason);
        var twice = (await CheckAsync("a@twice.test", null)).Decisive;
        Assert.Equal(DmarcResult.None, twice.Result);
        Assert.Contains("2 records", twice.Reason);
        var mixed = (await CheckAsync("a@mixed.test", null)).Decisive;
        Assert.Equal(DmarcResult.Fail, mixed.Result); // the other TXT record is ignored
    }

    [Fact]
    public async Task A_DNS_failure_of_the_policy_lookup_is_temperror_never_a_rejection()
    {
        var c = (await CheckAsync("a@down.test", null)).Decisive;
        Assert.Equal(DmarcResult.TempError, c.Result);
        Assert.Equal(DmarcPolicy.None, c.Disposition);
    }

    [Fact]
    public async Task A_lookup_cut_by_the_time_budget_is_temperror()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var verdict = await Evaluator().CheckAsync(DmarcAuthor.FromField("a@hang.test"), null, [], budget.Token);
        Assert.Equal(DmarcResult.TempError, verdict.Decisive.Result);
        Assert.Contains("time budget", verdict.Decisive.Reason);
    }

    [Fact]
    public async Task An_aligned_DKIM_key_lookup_that_failed_temporarily_makes_temperror_instead_of_a_rejection()
    {
        var c = (await CheckAsync("a@example.org", Spf(SpfResult.Fail, "example.org"), Dkim(DkimResult.TempError, "example.org"))).Decisive;
        Assert.Equal(DmarcResult.TempError, c.Result);
        Assert.Equal(DmarcPolicy.None, c.Disposition);
        var spf = (await CheckAsync("a@example.org", Spf(SpfResult.TempError, "example.org"))).Decisive;
        Assert.Equal(DmarcResult.TempError, spf.Result);
        var unaligned = (await CheckAsync("a@example.org", null, Dkim(DkimResult.TempError, "other.test"))).Decisive;
        Assert.Equal(DmarcResult.Fail, unaligned.Result);
    }

    [Fact]
    public async Task Rfc7489_6_6_1_a_From_with_several_domains_gets_the_strictest_result()
    {
        var verdict = await CheckAsync("a@half.test, b@example.org, c@nowhere.test", null, Dkim(DkimResult.Pass, "half.test"));
        Assert.Equal(3, verdict.Checks.Count);
        Assert.Equal(DmarcResult.Pass, verdict.Checks[0].Result);
        Assert.Equal("example.org", verdict.Decisive.FromDomain);
        Assert.Equal(DmarcPolicy.Reject, verdict.Decisive.Disposition);
    }

    [Theory]
    [InlineData("Subject: x\r\n\r\n", "no From: field (RFC 5322 section 3.6 requires one)")]
    [InlineData("From: a@example.org\r\nFrom: b@example.org\r\n\r\n", "2 From: fields (RFC 5322 section 3.6 allows one)")]
    [InlineData("From: undisclosed:;\r\n\r\n", "From: field names no mailbox")]
    [InlineData("From: bill\r\n\r\n", "From: address without a domain")]
    [InlineData("From: a@[192.0.2.1]\r\n\r\n", "From: address with a domain literal")]
    [InlineData("From: a@1.test, b@2.test, c@3.test, d@4.test, e@5.test, f@6.test\r\n\r\n", "From: field names 6 domains (at most 5 are judged)")]
    public void Rfc7489_6_6_1_an_author_that_cannot_be_identified_is_permerror_with_the_reject_disposition(string header, string problem)
    {
        var parser = new HeaderSectionParser();
        parser.Scan(Encoding.ASCII.GetBytes(header));
        var author = DmarcAuthor.FromHeader(parser);
        Assert.False(author.IsValid);
        Assert.Equal(problem, author.Problem);
        var c = Evaluator().Evaluate(author, [], null, []).Decisive;
        Assert.Equal(DmarcResult.PermError, c.Result);
        Assert.Equal(DmarcPolicy.Reject, c.Disposition);
        Assert.Equal(problem, c.Reason);
    }

    [Fact]
    public void The_From_domain_is_taken_from_a_folded_display_name_field_as_a_lower_case_A_label()
    {
        var parser = new HeaderSectionParser();
        parser.Scan("Subject: hi\r\nFrom: \"Gates, Bill\"\r\n <Bill@MICROSOFT.test>\r\n\r\n"u8);
        Assert.Equal(["microsoft.test"], DmarcAuthor.FromHeader(parser).Domains);
        Assert.Equal(["xn--bcher-kva.test"], DmarcAuthor.FromField("a@bücher.test").Domains);
    }
}
