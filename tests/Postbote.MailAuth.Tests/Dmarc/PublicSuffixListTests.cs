using Postbote.MailAuth.Dmarc;

namespace Postbote.MailAuth.Tests.Dmarc;

/// <summary>
/// The organisational domain (RFC 7489 §3.2) from the Public Suffix List: the algorithm on the rule kinds of
/// publicsuffix.org (normal, wildcard, exception; the implicit "*"), then Debian's list as the server loads it.
/// </summary>
public sealed class PublicSuffixListTests
{
    private static readonly PublicSuffixList Rules = PublicSuffixList.Parse(
    [
        "// comment", "", "com", "uk", "co.uk", "jp", "*.kawasaki.jp", "!city.kawasaki.jp", "*.ck", "!www.ck",
        "github.io   trailing text is ignored", "рф",
    ]);

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("mail.example.com", "example.com")]
    [InlineData("a.b.c.example.com", "example.com")]
    [InlineData("EXAMPLE.COM.", "example.com")]
    [InlineData("com", "com")] // a public suffix is its own organisational domain
    [InlineData("example.co.uk", "example.co.uk")]
    [InlineData("www.example.co.uk", "example.co.uk")]
    [InlineData("co.uk", "co.uk")]
    [InlineData("foo.kawasaki.jp", "foo.kawasaki.jp")] // *.kawasaki.jp: foo.kawasaki.jp is a suffix
    [InlineData("a.foo.kawasaki.jp", "a.foo.kawasaki.jp")]
    [InlineData("b.a.foo.kawasaki.jp", "a.foo.kawasaki.jp")]
    [InlineData("city.kawasaki.jp", "city.kawasaki.jp")] // !city.kawasaki.jp: the suffix is kawasaki.jp
    [InlineData("www.city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("www.ck", "www.ck")]
    [InlineData("mail.www.ck", "www.ck")]
    [InlineData("example.other.ck", "example.other.ck")]
    [InlineData("user.github.io", "user.github.io")] // the private section counts, as OpenDMARC reads it
    [InlineData("example.unlisted", "example.unlisted")] // the implicit "*" rule
    [InlineData("a.example.unlisted", "example.unlisted")]
    [InlineData("localhost", "localhost")]
    [InlineData("почта.пример.рф", "xn--e1afmkfd.xn--p1ai")] // U-labels compared as A-labels
    [InlineData("a.mail.xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai")]
    public void OrganizationalDomain_follows_the_publicsuffix_org_algorithm(string domain, string expected)
        => Assert.Equal(expected, Rules.OrganizationalDomain(domain));

    [Fact]
    public void Without_a_list_the_organisational_domain_is_the_last_two_labels()
    {
        Assert.Equal("example.com", PublicSuffixList.Empty.OrganizationalDomain("a.b.example.com"));
        Assert.Equal("co.uk", PublicSuffixList.Empty.OrganizationalDomain("example.co.uk"));
        Assert.Equal(0, PublicSuffixList.Empty.RuleCount);
    }

    [Theory]
    [InlineData("mail.google.com", "google.com")]
    [InlineData("a.b.bbc.co.uk", "bbc.co.uk")]
    [InlineData("example.com.au", "example.com.au")]
    [InlineData("www.example.k12.ak.us", "example.k12.ak.us")]
    [InlineData("foo.appspot.com", "foo.appspot.com")]
    [InlineData("www.city.kawasaki.jp", "city.kawasaki.jp")]
    public void Debians_list_gives_the_registrable_domain(string domain, string expected)
    {
        Assert.True(File.Exists(PublicSuffixList.DebianPath), "package publicsuffix (scripts/install-test-deps.sh) provides " + PublicSuffixList.DebianPath);
        var list = DebianList.Value;
        Assert.True(list.RuleCount > 5000);
        Assert.Equal(expected, list.OrganizationalDomain(domain));
    }

    private static readonly Lazy<PublicSuffixList> DebianList = new(() => PublicSuffixList.Load(PublicSuffixList.DebianPath));
}
