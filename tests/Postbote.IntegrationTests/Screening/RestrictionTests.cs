using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;

namespace Postbote.IntegrationTests.Screening;

/// <summary>Issue 13: the optional reject_* restrictions on the real MX listener, answered at RCPT with Postfix's codes; DNS from the loopback test server.</summary>
public sealed class RestrictionTests
{
    private static async Task<string?> RcptAsync(PostboteTestServer server, string source, string helo, string sender)
    {
        await using var c = await SourceAddressConnection.ConnectAsync(source, server.MxPort);
        Assert.StartsWith("220 ", await c.ReadReplyAsync());
        Assert.StartsWith("250", await c.CommandAsync("EHLO " + helo));
        Assert.StartsWith("250", await c.CommandAsync($"MAIL FROM:<{sender}>"));
        return await c.CommandAsync("RCPT TO:<bob@test.local>");
    }

    [Fact]
    public async Task HeloSenderAndClientRestrictions_RefuseAtRcpt_TrustedClientsPass()
    {
        using var dns = new TestDnsServer();
        dns.AddPtr("127.0.0.61", "host.example");
        dns.AddA("host.example", "127.0.0.61");
        dns.AddMx("ok.example", 10, "host.example");
        await using var server = await PostboteTestServer.StartAsync(o =>
        {
            o.Dns = new Postbote.Configuration.DnsOptions { Servers = new[] { dns.Endpoint }, Timeout = TimeSpan.FromSeconds(5) };
            o.TrustedNetworks = new[] { "127.0.0.63/32" };
            o.Restrictions.RejectNonFqdnHeloHostname = true;
            o.Restrictions.RejectUnknownSenderDomain = true;
            o.Restrictions.RejectUnknownClientHostname = true;
        });
        Assert.StartsWith("250", await RcptAsync(server, "127.0.0.61", "host.example", "a@ok.example"));
        Assert.Equal("504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname", await RcptAsync(server, "127.0.0.61", "localhost", "a@ok.example"));
        Assert.Equal("550 5.1.8 <a@nowhere.example>: Sender address rejected: Domain not found", await RcptAsync(server, "127.0.0.61", "host.example", "a@nowhere.example"));
        Assert.Equal("450 4.7.1 Client host rejected: cannot find your reverse hostname, [127.0.0.62]", await RcptAsync(server, "127.0.0.62", "host.example", "a@ok.example"));
        Assert.StartsWith("250", await RcptAsync(server, "127.0.0.63", "localhost", "a@nowhere.example"));
        Assert.Contains(server.Log.Lines, l => l.Contains("reject: RCPT from [127.0.0.62]: 450 4.7.1 Client host rejected") && l.Contains("restriction=client"));
    }
}
