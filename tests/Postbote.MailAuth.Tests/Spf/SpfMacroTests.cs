using System.Net;
using Postbote.MailAuth.Spf;

namespace Postbote.MailAuth.Tests.Spf;

public sealed class SpfMacroTests
{
    private static readonly SpfMacroContext V4 = new("strong-bad@email.example.com", "email.example.com",
        IPAddress.Parse("192.0.2.3"), "mx.example.org", "mx.example.net", 1_700_000_000);

    [Theory]
    // RFC 7208 §7.4, sender strong-bad@email.example.com, IPv4 client 192.0.2.3.
    [InlineData("%{s}", "strong-bad@email.example.com")]
    [InlineData("%{o}", "email.example.com")]
    [InlineData("%{d}", "email.example.com")]
    [InlineData("%{d4}", "email.example.com")]
    [InlineData("%{d3}", "email.example.com")]
    [InlineData("%{d2}", "example.com")]
    [InlineData("%{d1}", "com")]
    [InlineData("%{dr}", "com.example.email")]
    [InlineData("%{d2r}", "example.email")]
    [InlineData("%{l}", "strong-bad")]
    [InlineData("%{l-}", "strong.bad")]
    [InlineData("%{lr}", "strong-bad")]
    [InlineData("%{lr-}", "bad.strong")]
    [InlineData("%{l1r-}", "strong")]
    [InlineData("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com")]
    [InlineData("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com")]
    [InlineData("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net")]
    // §7.1 escapes and the upper-case (URL-escaped) forms.
    [InlineData("a%%b%_c%-d", "a%b c%20d")]
    [InlineData("%{S}", "strong-bad%40email.example.com")]
    public void RFC7208_7_4_macro_examples_expand_as_the_RFC_shows(string macro, string expected)
    {
        Assert.True(SpfMacro.TryExpand(macro, V4, explanation: false, out var expanded));
        Assert.Equal(expected, expanded);
    }

    [Fact]
    public void RFC7208_7_4_IPv6_example_expands_to_nibbles()
    {
        var v6 = V4 with { Client = IPAddress.Parse("2001:db8::cb01") };
        Assert.True(SpfMacro.TryExpand("%{ir}.%{v}._spf.%{d2}", v6, false, out var expanded));
        Assert.Equal("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com", expanded);
    }

    [Theory]
    [InlineData("%{c}", "192.0.2.3")]
    [InlineData("%{r}", "mx.example.net")]
    [InlineData("%{t}", "1700000000")]
    [InlineData("%{h} %{p}", "mx.example.org unknown")]
    public void Explanation_only_macros_c_r_t_expand_in_exp_text_RFC7208_7_3(string macro, string expected)
    {
        Assert.True(SpfMacro.TryExpand(macro, V4, explanation: true, out var expanded));
        Assert.Equal(expected, expanded);
    }

    [Theory]
    [InlineData("%{c}")]
    [InlineData("%{r}")]
    [InlineData("%{t}")]
    [InlineData("%{x}")]
    [InlineData("%{d0}")]
    [InlineData("%{d")]
    [InlineData("%a")]
    [InlineData("%")]
    [InlineData("%{l;}")]
    public void Malformed_or_exp_only_macros_outside_exp_are_syntax_errors_RFC7208_7_1(string macro)
        => Assert.False(SpfMacro.TryExpand(macro, V4, explanation: false, out _));

    [Fact]
    public void An_expanded_domain_over_253_characters_loses_leading_labels_RFC7208_7_3()
    {
        var longLocal = V4 with { Sender = string.Join('.', Enumerable.Repeat("abcdefghij", 30)) + "@email.example.com" };
        Assert.True(SpfMacro.TryExpandDomain("%{l}._spf.example.com", longLocal, out var domain));
        Assert.True(domain.Length <= 253);
        Assert.EndsWith("abcdefghij._spf.example.com", domain);
        Assert.False(domain.StartsWith('.'));
    }
}
