using System.Net;
using System.Text;
using Postbote.Core.Delivery;
using Postbote.Delivery.Smtp;
using Postbote.TestSupport;

namespace Postbote.Delivery.Tests;

/// <summary>Issue 11: the outbound client never writes a command line with CR, LF or NUL in it (RFC 5321 §2.3.8).</summary>
public sealed class OutboundCommandInjectionTests
{
    private static SmtpClientOptions Options() => new()
    {
        HeloName = "client.test",
        Tls = TlsPolicy.None,
        ConnectTimeout = TimeSpan.FromSeconds(10), GreetingTimeout = TimeSpan.FromSeconds(10), HeloTimeout = TimeSpan.FromSeconds(10),
        StartTlsTimeout = TimeSpan.FromSeconds(10), MailTimeout = TimeSpan.FromSeconds(10), RcptTimeout = TimeSpan.FromSeconds(10),
        DataInitTimeout = TimeSpan.FromSeconds(10), DataBlockTimeout = TimeSpan.FromSeconds(10), DataEndTimeout = TimeSpan.FromSeconds(10),
    };

    private static DeliveryRequest Request(string sender, string recipient)
    {
        var body = Encoding.ASCII.GetBytes(TestMessages.SimpleBody);
        return new("Q1", sender, [new DeliveryRecipient(recipient)],
            _ => ValueTask.FromResult<Stream>(new MemoryStream(body, writable: false)), body.Length, Core.Envelope.BodyType.SevenBit, false,
            Core.Envelope.DsnReturn.Unspecified, null);
    }

    [Theory]
    [InlineData("a@b.example>\r\nRSET\r\nMAIL FROM:<x@y.example", "bob@example.net")]
    [InlineData("a@b.example", "bob@example.net>\r\nDATA")]
    [InlineData("a@b.example", "bob@example.net\0>")]
    [InlineData("a@b.example\n", "bob@example.net")]
    public async Task EnvelopeWithCrLfOrNul_IsNeverWritten_FailsPermanently_5_6_0(string sender, string recipient)
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        await using var connection = await SmtpClientConnection.OpenAsync(new SmtpEndpoint("peer.test", IPAddress.Loopback, peer.Port), Options(),
            null, cancellationToken: CancellationToken.None);
        var result = Assert.Single(await connection.SendAsync(Request(sender, recipient), CancellationToken.None));
        Assert.True(result.IsPermanent, result.ToString());
        Assert.Equal("5.6.0", result.Status);
        Assert.False(connection.IsUsable);
        Assert.DoesNotContain(peer.Commands, c => c.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase)
            || c.StartsWith("RCPT", StringComparison.OrdinalIgnoreCase) || c.StartsWith("RSET", StringComparison.OrdinalIgnoreCase)
            || c.StartsWith("DATA", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(peer.Transactions);
    }
}
