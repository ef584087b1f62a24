using System.Net;
using Postbote.Smtpd.Greylisting;

namespace Postbote.Smtpd.Tests.Greylisting;

/// <summary>Issue 13: the greylisting triplet (client network, normalised sender, recipient), as postgrey keys it.</summary>
public sealed class GreylistTripletTests
{
    [Theory]
    [InlineData("192.0.2.77", "192.0.2.0/24")]
    [InlineData("::ffff:198.51.100.9", "198.51.100.0/24")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8::1", "2001:db8::/64")]
    public void Network_IsTheIpv4Slash24_OrTheIpv6Slash64(string address, string network)
        => Assert.Equal(network, GreylistTriplet.NetworkOf(IPAddress.Parse(address)));

    [Theory]
    [InlineData("Alice@Example.ORG", "alice@example.org")]
    [InlineData("alice+newsletter@example.org", "alice@example.org")]
    [InlineData("prvs=1234abcdef=alice@example.org", "alice@example.org")]
    [InlineData("bounce-12345-678@lists.example.org", "bounce-#-#@lists.example.org")]
    [InlineData("user2000@example.org", "user2000@example.org")]
    [InlineData("", "")]
    public void Sender_LosesItsPerMessageParts(string sender, string normalized)
        => Assert.Equal(normalized, GreylistTriplet.NormalizeSender(sender));

    [Fact]
    public void NeighboursOfOneNetwork_AndVerpSenders_ShareATriplet_OtherRecipientsDoNot()
    {
        var a = GreylistTriplet.From(IPAddress.Parse("192.0.2.10"), "bounce-17@lists.example.org", "Bob@Example.org");
        var b = GreylistTriplet.From(IPAddress.Parse("192.0.2.200"), "bounce-18@lists.example.org", "bob@example.org");
        var c = GreylistTriplet.From(IPAddress.Parse("192.0.2.10"), "bounce-17@lists.example.org", "carol@example.org");
        var d = GreylistTriplet.From(IPAddress.Parse("192.0.3.10"), "bounce-17@lists.example.org", "bob@example.org");
        Assert.Equal(a.Key, b.Key);
        Assert.NotEqual(a.Key, c.Key);
        Assert.NotEqual(a.Key, d.Key);
    }
}
