using System.Text;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;

namespace Postbote.IntegrationTests.Screening;

/// <summary>Issue 13: an MX listener behind HAProxy (PROXY protocol v1 and v2) sees the client's address, and only proxies may use it.</summary>
public sealed class ProxyProtocolTests
{
    private static Task<PostboteTestServer> StartAsync(string from) => PostboteTestServer.StartAsync(o =>
    {
        o.Listeners![0].ProxyProtocol = true;
        o.Listeners[0].ProxyProtocolFrom = new[] { from };
        o.Listeners[0].ProxyProtocolTimeout = TimeSpan.FromSeconds(2);
    });

    private static async Task SendMailAsync(RawSmtpClient c)
    {
        Assert.Equal("220 mx.test.local ESMTP Postbote", await c.ReadAsync());
        await c.CommandAsync("EHLO client.example");
        Assert.StartsWith("250", await c.CommandAsync("MAIL FROM:<a@remote.example>"));
        Assert.StartsWith("250", await c.CommandAsync("RCPT TO:<bob@test.local>"));
        Assert.StartsWith("354", await c.CommandAsync("DATA"));
        Assert.StartsWith("250", await c.CommandAsync("Subject: hi\r\n\r\nbody\r\n."));
    }

    [Fact]
    public async Task V1HeaderFromAnAllowedProxy_TheSessionSeesTheClientsAddress_InReceivedAndTheLog()
    {
        await using var server = await StartAsync("127.0.0.0/8");
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        await c.SendAsync("PROXY TCP4 203.0.113.7 127.0.0.1 40001 25\r\n");
        await SendMailAsync(c);
        var queued = Assert.Single(server.Queued());
        var received = Encoding.ASCII.GetString(server.MessageBytes(queued.QueueId)).Split("\r\n\r\n")[0];
        Assert.Contains("[203.0.113.7]", received);
        Assert.DoesNotContain("127.0.0.1", received);
        Assert.Contains(server.Log.Lines, l => l.Contains("connect from [203.0.113.7]"));
    }

    [Fact]
    public async Task V2HeaderWithTlvs_FromAnAllowedProxy_TheSessionSeesTheClientsIpv6Address()
    {
        await using var server = await StartAsync("127.0.0.1");
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        var header = new List<byte> { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x21, 0, 36 + 7 };
        header.AddRange(System.Net.IPAddress.Parse("2001:db8::7").GetAddressBytes());
        header.AddRange(System.Net.IPAddress.Parse("2001:db8::1").GetAddressBytes());
        header.AddRange(new byte[] { 0x9C, 0x41, 0, 25, 0x04, 0x00, 0x04, 1, 2, 3, 4 }); // ports, then a NOOP TLV
        await c.SendBytesAsync(header.ToArray());
        await SendMailAsync(c);
        var queued = Assert.Single(server.Queued());
        Assert.Contains("[2001:db8::7]", Encoding.ASCII.GetString(server.MessageBytes(queued.QueueId)).Split("\r\n\r\n")[0]);
    }

    [Fact]
    public async Task ConnectionFromAnAddressThatIsNotAProxy_IsClosedWithoutAGreeting_AndLogged()
    {
        await using var server = await StartAsync("10.0.0.0/8");
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        await c.SendAsync("PROXY TCP4 203.0.113.7 127.0.0.1 40001 25\r\n");
        Assert.True(await c.IsClosedAsync());
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("not a configured proxy"))));
        Assert.Empty(server.Queued());
    }

    [Theory]
    [InlineData("EHLO client.example\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7\r\n")]
    public async Task GarbageHeader_ClosesTheConnection_WithALogLine(string garbage)
    {
        await using var server = await StartAsync("127.0.0.0/8");
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        await c.SendAsync(garbage);
        Assert.True(await c.IsClosedAsync());
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("no valid header") && l.Contains("malformed"))));
    }

    [Fact]
    public async Task TruncatedHeader_ClosesTheConnectionAfterTheTimeout()
    {
        await using var server = await StartAsync("127.0.0.0/8");
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        await c.SendAsync("PROXY TCP4 203.0.1");
        Assert.True(await c.IsClosedAsync());
        Assert.Contains(server.Log.Lines, l => l.Contains("no valid header") && l.Contains("timeout"));
    }

    [Fact]
    public async Task HeaderFedOneByteAtATime_IsRead()
    {
        await using var server = await StartAsync("127.0.0.0/8");
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        foreach (var b in Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.9 127.0.0.1 40001 25\r\n"))
            await c.SendBytesAsync(new[] { b });
        Assert.Equal("220 mx.test.local ESMTP Postbote", await c.ReadAsync());
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("connect from [198.51.100.9]"))));
    }
}
