using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests;

/// <summary>RFC 5321 rules that need the real listener: pipelining, SIZE, smuggling, relaying, long lines.</summary>
public sealed class ProtocolTests
{
    private static async Task<RawSmtpClient> GreetedAsync(PostboteTestServer server)
    {
        var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        await c.ReadAsync();
        await c.SendLineAsync("EHLO client.example");
        await c.ReadReplyAsync();
        return c;
    }

    [Fact]
    public async Task Rfc2920_WholeTransactionInOneWrite_IsAnsweredInOrder()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await using var c = await GreetedAsync(server);
        await c.SendAsync("MAIL FROM:<a@remote.example>\r\nRCPT TO:<x@test.local>\r\nRCPT TO:<y@far.example>\r\nRCPT TO:<z@test.local>\r\nDATA\r\n");
        Assert.Equal("250 2.1.0 Ok", await c.ReadAsync());
        Assert.Equal("250 2.1.5 Ok", await c.ReadAsync());
        Assert.Equal("554 5.7.1 Relay access denied", await c.ReadAsync());
        Assert.Equal("250 2.1.5 Ok", await c.ReadAsync());
        Assert.StartsWith("354 ", await c.ReadAsync());
        await c.SendAsync("Subject: p\r\n\r\nbody\r\n.\r\nQUIT\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as", await c.ReadAsync());
        Assert.Equal("221 2.0.0 Bye", await c.ReadAsync());
        Assert.Equal(2, Assert.Single(server.Queued()).Recipients.Count);
    }

    [Fact]
    public async Task Rfc1870_SizeDeclaredOverTheLimit_And_MessageActuallyLarger_Get552()
    {
        await using var server = await PostboteTestServer.StartAsync(o => o.Limits.MessageSizeBytes = 10_000);
        await using var c = await GreetedAsync(server);
        Assert.Equal("552 5.3.4 Message size exceeds fixed limit", await c.CommandAsync("MAIL FROM:<a@remote.example> SIZE=10001"));
        Assert.Equal("250 2.1.0 Ok", await c.CommandAsync("MAIL FROM:<a@remote.example> SIZE=500"));
        await c.CommandAsync("RCPT TO:<x@test.local>");
        await c.CommandAsync("DATA");
        await c.SendAsync("Subject: big\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('y', 98) + "\r\n", 200)) + ".\r\n");
        Assert.Equal("552 5.3.4 Message size exceeds fixed limit", await c.ReadAsync());
        Assert.Equal("250 2.0.0 Ok", await c.CommandAsync("NOOP")); // still in sync after reading to the end
        Assert.Empty(server.Queued());
    }

    [Theory]
    [InlineData("\n.\n")]
    [InlineData("\n.\r\n")]
    [InlineData("\r.\r")]
    [InlineData("\r\n.\n")]
    [InlineData("\r\n.\r")]
    public async Task SmtpSmuggling_BareLineEndsNeverEndTheMessage_AndTheMessageIsRefused(string fakeEnd)
    {
        await using var server = await PostboteTestServer.StartAsync();
        await using var c = await GreetedAsync(server);
        await c.CommandAsync("MAIL FROM:<a@remote.example>");
        await c.CommandAsync("RCPT TO:<x@test.local>");
        await c.CommandAsync("DATA");
        await c.SendAsync("Subject: outer\r\n\r\nouter body" + fakeEnd +
                          "MAIL FROM:<ceo@bank.example>\r\nRCPT TO:<victim@test.local>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n");
        Assert.Equal("550 5.6.11 Message contains bare CR or LF characters (RFC 5321 2.3.8), refused", await c.ReadAsync());
        Assert.Equal("250 2.0.0 Ok", await c.CommandAsync("NOOP"));
        Assert.Empty(server.Queued());
    }

    [Theory]
    [InlineData("<victim@far.example>")]
    [InlineData("<victim%far.example@test.local>")]
    [InlineData("<far.example!victim@test.local>")]
    [InlineData("<@test.local:victim@far.example>")]
    [InlineData("<\"victim@far.example\"@test.local>")]
    [InlineData("<victim@[192.0.2.1]>")]
    [InlineData("<victim@[IPv6:2001:db8::1]>")]
    [InlineData("<victim@test.local.far.example>")]
    [InlineData("victim@far.example")]
    public async Task OpenRelayBattery_EveryTrickIsRefused(string recipient)
    {
        await using var server = await PostboteTestServer.StartAsync();
        await using var c = await GreetedAsync(server);
        await c.CommandAsync("MAIL FROM:<spammer@remote.example>");
        var reply = await c.CommandAsync("RCPT TO:" + recipient);
        Assert.StartsWith("554 5.7.1", reply);
    }

    [Fact]
    public async Task Rfc5321_4_5_3_1_4_LineOf10000Octets_Gets500_AndTheSessionStaysInSync()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await using var c = await GreetedAsync(server);
        Assert.Equal("500 5.5.2 Error: line too long", await c.CommandAsync("MAIL FROM:<" + new string('a', 9_980) + "@remote.example>"));
        Assert.Equal("250 2.1.0 Ok", await c.CommandAsync("MAIL FROM:<a@remote.example>"));
    }

    [Fact]
    public async Task TooManyConnectionsFromOneClient_Get421()
    {
        await using var server = await PostboteTestServer.StartAsync(o => o.Limits.ConnectionsPerClient = 2);
        await using var a = await RawSmtpClient.ConnectAsync(server.MxPort);
        await using var b = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.StartsWith("220", await a.ReadAsync());
        Assert.StartsWith("220", await b.ReadAsync());
        await using var third = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.StartsWith("421 4.7.0", await third.ReadAsync());
        Assert.True(await third.IsClosedAsync());
    }

    [Fact]
    public async Task CommandTimeout_Answers421_4_4_2_AndCloses()
    {
        await using var server = await PostboteTestServer.StartAsync(o => o.Limits.CommandTimeout = TimeSpan.FromMilliseconds(300));
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.StartsWith("220", await c.ReadAsync());
        Assert.StartsWith("421 4.4.2", await c.ReadAsync());
        Assert.True(await c.IsClosedAsync());
    }

    [Fact]
    public async Task Ipv6Listener_Works()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6) return;
        await using var server = await PostboteTestServer.StartAsync(o => o.Listeners = new[]
        {
            new Postbote.Configuration.ListenerOptions { Name = "mx6", Endpoint = "[::1]:0" },
            new Postbote.Configuration.ListenerOptions { Name = "sub", Endpoint = "127.0.0.1:0", Role = Postbote.Smtpd.ListenerRole.Submission },
            new Postbote.Configuration.ListenerOptions { Name = "subs", Endpoint = "127.0.0.1:0", Role = Postbote.Smtpd.ListenerRole.Submission, ImplicitTls = true },
        });
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort, "::1");
        Assert.Equal("220 mx.test.local ESMTP Postbote", await c.ReadAsync());
    }
}
