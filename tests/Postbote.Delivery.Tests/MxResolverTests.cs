using Postbote.Dns;
using System.Net;
using Postbote.Delivery.Dns;
using Postbote.TestSupport;

namespace Postbote.Delivery.Tests;

public sealed class MxResolverTests : IDisposable
{
    private readonly TestDnsServer _dns = new();

    private MxResolver Resolver(MxResolverOptions? options = null, Random? random = null, int timeoutMs = 3000)
        => new(new DnsResolver(new DnsOptions { Servers = { _dns.Endpoint }, QueryTimeout = TimeSpan.FromMilliseconds(timeoutMs) }), options, random);

    public void Dispose() => _dns.Dispose();

    [Fact]
    public async Task Mx_hosts_are_ordered_by_preference_with_their_addresses_RFC5321_5_1()
    {
        _dns.AddMx("example.net", 20, "mx2.example.net").AddMx("example.net", 10, "mx1.example.net")
            .AddA("mx1.example.net", "192.0.2.1").AddAaaa("mx1.example.net", "2001:db8::1").AddA("mx2.example.net", "192.0.2.2");
        var route = await Resolver().ResolveAsync("Example.NET.", CancellationToken.None);
        Assert.True(route.IsSuccess);
        Assert.False(route.IsImplicitMx);
        Assert.Equal(new[] { "mx1.example.net", "mx2.example.net" }, route.Hosts.Select(h => h.Name));
        Assert.Equal(new[] { IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1") }, route.Hosts[0].Addresses);
        Assert.Equal(20, route.Hosts[1].Preference);
    }

    [Fact]
    public async Task Domain_without_MX_uses_its_address_as_implicit_MX_RFC5321_5_1()
    {
        _dns.AddA("nomx.example", "192.0.2.9");
        var route = await Resolver().ResolveAsync("nomx.example", CancellationToken.None);
        Assert.True(route.IsImplicitMx);
        Assert.Equal("nomx.example", Assert.Single(route.Hosts).Name);
    }

    [Fact]
    public async Task Null_MX_is_a_permanent_5_1_10_RFC7505()
    {
        _dns.AddNullMx("nomail.example").AddA("nomail.example", "192.0.2.9");
        var route = await Resolver().ResolveAsync("nomail.example", CancellationToken.None);
        Assert.Equal(("5.1.10", true), (route.Error!.Status, route.Error.IsPermanent));
    }

    [Fact]
    public async Task Mx_host_without_address_is_skipped()
    {
        _dns.AddMx("example.net", 10, "ghost.example.net").AddEmptyName("ghost.example.net")
            .AddMx("example.net", 20, "mx2.example.net").AddA("mx2.example.net", "192.0.2.2");
        var route = await Resolver().ResolveAsync("example.net", CancellationToken.None);
        Assert.Equal("mx2.example.net", Assert.Single(route.Hosts).Name);
    }

    [Fact]
    public async Task Only_mx_host_without_address_is_permanent()
    {
        _dns.AddMx("example.net", 10, "ghost.example.net");
        var route = await Resolver().ResolveAsync("example.net", CancellationToken.None);
        Assert.Equal(("5.4.4", true), (route.Error!.Status, route.Error.IsPermanent));
    }

    [Fact]
    public async Task Only_mx_host_whose_lookup_fails_is_temporary()
    {
        _dns.AddMx("example.net", 10, "broken.example.net").SetServFail("broken.example.net");
        var route = await Resolver().ResolveAsync("example.net", CancellationToken.None);
        Assert.Equal(("4.4.3", false), (route.Error!.Status, route.Error.IsPermanent));
    }

    [Fact]
    public async Task Nxdomain_is_a_permanent_5_1_2()
    {
        var route = await Resolver().ResolveAsync("does-not-exist.example", CancellationToken.None);
        Assert.Equal(("5.1.2", true), (route.Error!.Status, route.Error.IsPermanent));
    }

    [Fact]
    public async Task Servfail_is_a_temporary_4_4_3()
    {
        _dns.SetServFail("broken.example");
        var route = await Resolver().ResolveAsync("broken.example", CancellationToken.None);
        Assert.Equal(("4.4.3", false), (route.Error!.Status, route.Error.IsPermanent));
    }

    [Fact]
    public async Task Dns_timeout_is_a_temporary_4_4_3()
    {
        _dns.SetSilent("silent.example");
        var route = await Resolver(timeoutMs: 300).ResolveAsync("silent.example", CancellationToken.None);
        Assert.Equal(("4.4.3", false), (route.Error!.Status, route.Error.IsPermanent));
    }

    [Fact]
    public async Task Equal_preferences_are_shuffled_and_better_preferences_stay_first_RFC5321_5_1()
    {
        _dns.AddMx("example.net", 10, "a.example.net").AddMx("example.net", 10, "b.example.net").AddMx("example.net", 30, "c.example.net")
            .AddA("a.example.net", "192.0.2.1").AddA("b.example.net", "192.0.2.2").AddA("c.example.net", "192.0.2.3");
        var firsts = new HashSet<string>();
        for (var seed = 0; seed < 16 && firsts.Count < 2; seed++)
        {
            var route = await Resolver(random: new Random(seed)).ResolveAsync("example.net", CancellationToken.None);
            Assert.Equal("c.example.net", route.Hosts[^1].Name);
            firsts.Add(route.Hosts[0].Name);
        }
        Assert.Equal(new[] { "a.example.net", "b.example.net" }, firsts.Order());
    }

    [Fact]
    public async Task Best_mx_being_this_server_is_a_mail_loop_5_4_6()
    {
        _dns.AddMx("example.org", 10, "mx.example.org").AddA("mx.example.org", "192.0.2.5");
        var options = new MxResolverOptions { LocalHostnames = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "MX.example.org" } };
        var route = await Resolver(options).ResolveAsync("example.org", CancellationToken.None);
        Assert.Equal(("5.4.6", true), (route.Error!.Status, route.Error.IsPermanent));
    }

    [Fact]
    public async Task Mx_resolving_to_a_local_address_is_a_mail_loop()
    {
        _dns.AddMx("example.org", 10, "alias.example.org").AddA("alias.example.org", "192.0.2.5");
        var options = new MxResolverOptions { LocalAddresses = new HashSet<IPAddress> { IPAddress.Parse("192.0.2.5") } };
        var route = await Resolver(options).ResolveAsync("example.org", CancellationToken.None);
        Assert.Equal("5.4.6", route.Error!.Status);
    }

    [Fact]
    public async Task Backup_mx_keeps_only_hosts_better_than_itself_RFC5321_5_1()
    {
        _dns.AddMx("example.org", 10, "primary.example.net").AddMx("example.org", 20, "backup.example.org").AddMx("example.org", 30, "worse.example.net")
            .AddA("primary.example.net", "192.0.2.1").AddA("backup.example.org", "192.0.2.5").AddA("worse.example.net", "192.0.2.3");
        var options = new MxResolverOptions { LocalHostnames = new HashSet<string> { "backup.example.org" } };
        var route = await Resolver(options).ResolveAsync("example.org", CancellationToken.None);
        Assert.True(route.IsSuccess, route.Error?.Diagnostic + " queries: " + string.Join(",", _dns.Queries));
        Assert.Equal("primary.example.net", Assert.Single(route.Hosts).Name);
    }

    [Fact]
    public async Task Relayhost_address_literal_needs_no_dns()
    {
        var route = await Resolver().ResolveHostAsync("[127.0.0.1]", CancellationToken.None);
        Assert.Equal(IPAddress.Loopback, Assert.Single(Assert.Single(route.Hosts).Addresses));
    }

    [Fact]
    public async Task Next_dns_server_is_asked_when_the_first_does_not_answer()
    {
        _dns.AddA("nomx.example", "192.0.2.9");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var deaf = $"127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}";
        var resolver = new MxResolver(new DnsResolver(new DnsOptions { Servers = { deaf, _dns.Endpoint }, QueryTimeout = TimeSpan.FromSeconds(2) }));
        var route = await resolver.ResolveAsync("nomx.example", CancellationToken.None);
        Assert.True(route.IsSuccess, route.Error?.Diagnostic);
    }
}
