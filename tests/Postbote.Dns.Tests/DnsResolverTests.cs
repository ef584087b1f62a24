namespace Postbote.Dns.Tests;

public sealed class DnsResolverTests
{
    [Theory]
    [InlineData("192.0.2.53", "192.0.2.53:53")]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    [InlineData("::1", "[::1]:53")]
    public void Dns_server_entries_are_parsed(string entry, string expected)
        => Assert.Equal(expected, DnsResolver.ParseServer(entry).ToString());

    [Theory]
    [InlineData("not an address")]
    [InlineData("example.org:53")]
    public void Dns_server_entries_that_are_not_addresses_are_refused(string entry)
        => Assert.Throws<FormatException>(() => DnsResolver.ParseServer(entry));
}
