using Postbote.Dns;
using System.Net;
using Postbote.Core.Delivery;
using Postbote.Delivery.Dns;
using Postbote.Delivery.Smtp;
using Postbote.TestSupport;

namespace Postbote.Delivery.Tests;

public sealed class SmtpDeliveryAgentTests : IDisposable
{
    private readonly TestDnsServer _dns = new();

    public void Dispose() => _dns.Dispose();

    private SmtpDeliveryAgent Agent(int port, RelayhostOptions? relay = null) => new(
        new SmtpDeliveryOptions
        {
            Port = port,
            Relayhost = relay,
            Client = new SmtpClientOptions { HeloName = "client.test", ConnectTimeout = TimeSpan.FromSeconds(5), GreetingTimeout = TimeSpan.FromSeconds(10) },
        },
        new MxResolver(new DnsResolver(new DnsOptions { Servers = { _dns.Endpoint }, QueryTimeout = TimeSpan.FromSeconds(3) })));

    [Fact]
    public async Task Preferred_mx_refusing_connections_moves_on_to_the_next_RFC5321_5_1()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        // Nothing listens on 127.0.0.2 at the peer's port: the preferred MX refuses the connection.
        _dns.AddMx("example.net", 10, "mx1.example.net").AddA("mx1.example.net", "127.0.0.2")
            .AddMx("example.net", 20, "mx2.example.net").AddA("mx2.example.net", "127.0.0.1");
        var results = await Agent(peer.Port).DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "a@example.net", "b@example.net"), CancellationToken.None);
        Assert.All(results, r => Assert.Equal(DeliveryAction.Relayed, r.Action));
        Assert.Equal($"mx2.example.net[127.0.0.1]:{peer.Port}", results[0].RemoteMta);
        Assert.Equal(new[] { "a@example.net", "b@example.net" }, Assert.Single(peer.Transactions).AcceptedRecipients);
    }

    [Fact]
    public async Task Greeting_4xx_on_the_first_mx_moves_on_to_the_next()
    {
        await using var good = new ScriptedSmtpPeer(new SmtpPeerScript());
        await using var busy = new ScriptedSmtpPeer(new SmtpPeerScript { Greeting = "421 4.3.2 busy" }, new IPEndPoint(IPAddress.Parse("127.0.0.2"), good.Port));
        _dns.AddMx("example.net", 10, "busy.example.net").AddA("busy.example.net", "127.0.0.2")
            .AddMx("example.net", 20, "good.example.net").AddA("good.example.net", "127.0.0.1");
        var result = Assert.Single(await Agent(good.Port).DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "a@example.net"), CancellationToken.None));
        Assert.True(result.IsSuccess, result.Diagnostic);
        Assert.StartsWith("good.example.net", result.RemoteMta);
        Assert.Equal(1, busy.ConnectionCount);
    }

    [Fact]
    public async Task Drop_mid_DATA_on_the_first_mx_is_retried_on_the_next()
    {
        await using var good = new ScriptedSmtpPeer(new SmtpPeerScript());
        await using var dropping = new ScriptedSmtpPeer(new SmtpPeerScript { DropMidData = true }, new IPEndPoint(IPAddress.Parse("127.0.0.2"), good.Port));
        _dns.AddMx("example.net", 10, "drop.example.net").AddA("drop.example.net", "127.0.0.2")
            .AddMx("example.net", 20, "good.example.net").AddA("good.example.net", "127.0.0.1");
        var body = string.Concat(Enumerable.Repeat("line of text\r\n", 20000));
        var result = Assert.Single(await Agent(good.Port).DeliverAsync(TestMessages.Request(body, "a@example.net"), CancellationToken.None));
        Assert.True(result.IsSuccess, result.Diagnostic);
        Assert.Equal(System.Text.Encoding.ASCII.GetBytes(body), Assert.Single(good.Transactions).Data);
    }

    [Fact]
    public async Task Every_mx_down_is_a_temporary_site_failure()
    {
        var port = TestMessages.ClosedPort();
        _dns.AddMx("example.net", 10, "mx1.example.net").AddA("mx1.example.net", "127.0.0.2")
            .AddMx("example.net", 20, "mx2.example.net").AddA("mx2.example.net", "127.0.0.3");
        var result = Assert.Single(await Agent(port).DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "a@example.net"), CancellationToken.None));
        Assert.Equal((DeliveryAction.Delayed, "4.4.1", FailureScope.Site), (result.Action, result.Status, result.Scope));
        Assert.StartsWith("mx2.example.net[127.0.0.3]", result.RemoteMta);
    }

    [Fact]
    public async Task Recipients_refused_on_one_host_are_not_retried_on_the_next()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { RcptReply = a => a.StartsWith("x") ? "550 5.1.1 unknown" : "250 2.1.5 Ok" });
        _dns.AddMx("example.net", 10, "mx1.example.net").AddA("mx1.example.net", "127.0.0.1")
            .AddMx("example.net", 20, "mx2.example.net").AddA("mx2.example.net", "127.0.0.1");
        var results = await Agent(peer.Port).DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "a@example.net", "x@example.net"), CancellationToken.None);
        Assert.True(results[0].IsSuccess);
        Assert.Equal((DeliveryAction.Failed, FailureScope.Recipient), (results[1].Action, results[1].Scope));
        Assert.Equal(1, peer.ConnectionCount);
    }

    [Fact]
    public async Task Dns_failure_fails_every_recipient_with_site_scope()
    {
        _dns.AddNullMx("nomail.example");
        var results = await Agent(25).DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "a@nomail.example", "b@nomail.example"), CancellationToken.None);
        Assert.All(results, r => Assert.Equal((DeliveryAction.Failed, "5.1.10", FailureScope.Site), (r.Action, r.Status, r.Scope)));
    }

    [Fact]
    public async Task Relayhost_with_implicit_TLS_and_AUTH_receives_all_mail()
    {
        using var cert = TestCertificates.CreateSelfSigned("relay.test");
        await using var relay = new ScriptedSmtpPeer(new SmtpPeerScript { Certificate = cert, ImplicitTls = true, Account = ("me", "pw") });
        var options = new RelayhostOptions { Host = "127.0.0.1", Port = relay.Port, Tls = RelayTlsMode.Implicit, VerifyCertificate = false, User = "me", Password = "pw" };
        var result = Assert.Single(await Agent(25, options).DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@elsewhere.example"), CancellationToken.None));
        Assert.True(result.IsSuccess, result.Diagnostic);
        Assert.Equal("me via PLAIN", relay.AuthenticatedAs);
        Assert.True(Assert.Single(relay.Transactions).OverTls);
        Assert.Empty(_dns.Queries);
    }

    [Fact]
    public async Task Relayhost_with_STARTTLS_requires_it()
    {
        await using var relay = new ScriptedSmtpPeer(new SmtpPeerScript());
        var options = new RelayhostOptions { Host = "127.0.0.1", Port = relay.Port, Tls = RelayTlsMode.StartTls };
        var result = Assert.Single(await Agent(25, options).DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@elsewhere.example"), CancellationToken.None));
        Assert.Equal((DeliveryAction.Delayed, "4.7.5"), (result.Action, result.Status));
        Assert.Empty(relay.Transactions);
    }

    [Fact]
    public async Task Broken_opportunistic_TLS_falls_back_to_plaintext()
    {
        using var cert = TestCertificates.CreateSelfSigned("mx.example.net");
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { Certificate = cert, BreakTls = true });
        _dns.AddMx("example.net", 10, "mx.example.net").AddA("mx.example.net", "127.0.0.1");
        var result = Assert.Single(await Agent(peer.Port).DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "a@example.net"), CancellationToken.None));
        Assert.True(result.IsSuccess, result.Diagnostic);
        Assert.Equal(2, peer.ConnectionCount);
        Assert.False(Assert.Single(peer.Transactions).OverTls);
    }
}
