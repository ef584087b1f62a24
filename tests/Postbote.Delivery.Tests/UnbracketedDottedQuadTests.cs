using Postbote.Dns;
using System.Net;
using Postbote.Delivery.Dns;
using Postbote.TestSupport;

namespace Postbote.Delivery.Tests;

/// <summary>
/// RFC 5321 §4.1.3 and §2.3.5: only "[10.0.0.1]" is an address literal; "x@10.0.0.1" names a domain (whose labels
/// happen to be digits), looked up in the DNS like any other, which will not resolve.
/// </summary>
public sealed class UnbracketedDottedQuadTests : IDisposable
{
    private readonly TestDnsServer _dns = new();

    private MxResolver Resolver() =>
        new(new DnsResolver(new DnsOptions { Servers = { _dns.Endpoint }, QueryTimeout = TimeSpan.FromSeconds(3) }));

    public void Dispose() => _dns.Dispose();

    [Fact]
    public async Task Unbracketed_dotted_quad_is_looked_up_as_a_domain_not_delivered_to_as_an_address()
    {
        var route = await Resolver().ResolveAsync("10.0.0.1", CancellationToken.None);
        Assert.False(route.IsSuccess, "an unbracketed dotted quad was used as an IP address: " + string.Join(",", route.Hosts.SelectMany(h => h.Addresses)));
        Assert.Equal(("5.1.2", true), (route.Error!.Status, route.Error.IsPermanent));
        Assert.Contains(_dns.Queries, q => q.Contains("10.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bracketed_dotted_quad_is_an_address_literal_RFC5321_4_1_3()
    {
        var route = await Resolver().ResolveAsync("[192.0.2.7]", CancellationToken.None);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), Assert.Single(Assert.Single(route.Hosts).Addresses));
        Assert.Empty(_dns.Queries);
    }

    [Fact]
    public async Task Bracketed_ipv6_literal_is_an_address_literal_RFC5321_4_1_3()
    {
        var route = await Resolver().ResolveAsync("[IPv6:2001:db8::7]", CancellationToken.None);
        Assert.Equal(IPAddress.Parse("2001:db8::7"), Assert.Single(Assert.Single(route.Hosts).Addresses));
    }
}
