using Postbote.Delivery.Tls;

namespace Postbote.Delivery.Tests;

/// <summary>Delivery:Tls: level names, policy lookup (Postfix smtp_tls_policy_maps), match names (RFC 6125), validation.</summary>
public sealed class TlsPolicyTableTests
{
    private static TlsPolicyTable Table(string level, params (string Destination, string Level)[] policies) => TlsPolicyTable.Build(new DeliveryTlsOptions
    {
        Level = level,
        Policies = policies.Select(p => new TlsPolicyOptions { Destination = p.Destination, Level = p.Level }).ToArray(),
    });

    [Fact]
    public void Exact_entry_matches_only_that_domain_dot_entry_every_subdomain_most_specific_wins()
    {
        var table = Table("may", ("example.com", "verify"), (".example.com", "encrypt"), (".mail.example.com", "none"), ("bücher.example", "dane-only"));
        Assert.Equal(TlsLevel.Verify, table.Find("example.com").Level);
        Assert.Equal(TlsLevel.Verify, table.Find("EXAMPLE.com.").Level);
        Assert.Equal(TlsLevel.Encrypt, table.Find("a.example.com").Level);
        Assert.Equal(TlsLevel.Encrypt, table.Find("b.a.example.com").Level);
        Assert.Equal(TlsLevel.None, table.Find("x.mail.example.com").Level);
        Assert.Equal(TlsLevel.Encrypt, table.Find("mail.example.com").Level); // ".mail.example.com" is below it, not it
        Assert.Equal(TlsLevel.May, table.Find("example.org").Level);
        Assert.Equal(TlsLevel.May, table.Find("notexample.com").Level);
        Assert.Equal(TlsLevel.DaneOnly, table.Find("xn--bcher-kva.example").Level);
        Assert.Equal(TlsLevel.DaneOnly, table.Find("bücher.example").Level);
        Assert.Equal("Delivery:Tls:Policies:1 (.example.com)", table.Find("a.example.com").Source);
        Assert.Equal("Delivery:Tls:Level", table.Find("example.org").Source);
    }

    [Fact]
    public void Without_policies_every_destination_gets_the_default_object()
    {
        var table = Table("encrypt");
        Assert.False(table.HasPolicies);
        Assert.Same(table.Default, table.Find("example.com"));
        Assert.Equal(TlsLevel.Encrypt, table.Default.Level);
        Assert.Equal(TlsLevel.May, TlsPolicyTable.Opportunistic.Default.Level);
    }

    [Theory]
    [InlineData("none", TlsLevel.None)]
    [InlineData("may", TlsLevel.May)]
    [InlineData("Encrypt", TlsLevel.Encrypt)]
    [InlineData("verify", TlsLevel.Verify)]
    [InlineData("dane", TlsLevel.Dane)]
    [InlineData("dane-only", TlsLevel.DaneOnly)]
    public void Level_names_are_Postfix_s(string name, TlsLevel level)
    {
        Assert.True(TlsLevels.TryParse(name, out var parsed));
        Assert.Equal(level, parsed);
        Assert.Equal(name.ToLowerInvariant(), parsed.Name());
    }

    [Fact]
    public void Every_wrong_setting_is_named()
    {
        var problems = new DeliveryTlsOptions
        {
            Level = "secure",
            CAFile = "/nonexistent/ca.pem",
            Policies =
            [
                new() { Destination = "example.com", Level = "opportunistic" },
                new() { Destination = "not a domain", Level = "may" },
                new() { Destination = "EXAMPLE.com", Level = "may" },
                new() { Destination = "x.example", Level = "encrypt", Match = ["hostname"] },
                new() { Destination = "y.example", Level = "verify", Match = ["*.bad"], CAFile = "/nonexistent/y.pem" },
            ],
        }.Validate();
        Assert.Contains("Delivery:Tls:Level: 'secure' is not one of none, may, encrypt, verify, dane, dane-only", problems);
        Assert.Contains("Delivery:Tls:CAFile: /nonexistent/ca.pem does not exist", problems);
        Assert.Contains("Delivery:Tls:Policies:0:Level: 'opportunistic' is not one of none, may, encrypt, verify, dane, dane-only", problems);
        Assert.Contains(problems, p => p.StartsWith("Delivery:Tls:Policies:1:Destination: 'not a domain' is not a domain"));
        Assert.Contains("Delivery:Tls:Policies:2:Destination: 'EXAMPLE.com' has more than one policy", problems);
        Assert.Contains("Delivery:Tls:Policies:3:Match applies only to Level verify", problems);
        Assert.Contains(problems, p => p.StartsWith("Delivery:Tls:Policies:4:Match: '*.bad' is not"));
        Assert.Contains("Delivery:Tls:Policies:4:CAFile: /nonexistent/y.pem does not exist", problems);
        Assert.Equal(8, problems.Count);
    }

    [Fact]
    public void A_CA_file_that_holds_no_certificate_is_refused_naming_the_key()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a certificate\n");
            var e = Assert.Throws<ArgumentException>(() => TlsPolicyTable.Build(new DeliveryTlsOptions { CAFile = file }));
            Assert.StartsWith("Delivery:Tls:CAFile: " + file, e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("mx.example.com", "mx.example.com", true)]
    [InlineData("MX.Example.COM", "mx.example.com", true)]
    [InlineData("mx.example.com", "mx2.example.com", false)]
    [InlineData("*.example.com", "mx.example.com", true)]       // RFC 6125 §6.4.3: the wildcard is one left-most label
    [InlineData("*.example.com", "a.mx.example.com", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("mx.example.com", ".example.com", true)]        // ".parent": any name below it
    [InlineData("a.b.example.com", ".example.com", true)]
    [InlineData("example.com", ".example.com", false)]
    [InlineData("badexample.com", ".example.com", false)]
    [InlineData("*.example.com", ".example.com", true)]
    [InlineData("*.mail.example.com", ".example.com", true)]
    public void Certificate_names_match_patterns(string certificateName, string pattern, bool matches)
        => Assert.Equal(matches, TlsMatchNames.Matches(certificateName, pattern));

    [Fact]
    public void Match_keywords_resolve_per_connection()
        => Assert.Equal(["mx1.example.net", "example.com", ".example.com", ".example.net", "literal.example"],
            TlsMatchNames.Resolve(["hostname", "nexthop", "dot-nexthop", ".example.net", "literal.example"], "mx1.example.net.", "example.com"));
}
