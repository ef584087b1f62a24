using Postbote.Core.Delivery;
using Postbote.Delivery.Smtp;
using Postbote.TestSupport;

namespace Postbote.Delivery.Tests;

public class LmtpDeliveryAgentTests
{
    private static SmtpPeerScript Script() => new()
    {
        Lmtp = true,
        RcptReply = a => a.StartsWith("nobody") ? "550 5.1.1 No such user" : "250 2.1.5 Ok",
        LmtpReply = a => a.StartsWith("full") ? "452 4.2.2 Mailbox full" : a.StartsWith("bad") ? "554 5.6.0 Rejected" : $"250 2.0.0 <{a}> Saved",
    };

    [Fact]
    public async Task Each_accepted_recipient_gets_its_own_reply_after_the_dot_RFC2033_4_2()
    {
        await using var peer = new ScriptedSmtpPeer(Script());
        var agent = new LmtpDeliveryAgent(new LmtpDeliveryOptions { Endpoint = $"127.0.0.1:{peer.Port}" });
        var results = await agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "ok@example.org", "full@example.org", "nobody@example.org", "bad@example.org"), CancellationToken.None);
        Assert.Equal((DeliveryAction.Delivered, "2.0.0"), (results[0].Action, results[0].Status));
        Assert.Equal((DeliveryAction.Delayed, "4.2.2", FailureScope.Recipient), (results[1].Action, results[1].Status, results[1].Scope));
        Assert.Equal((DeliveryAction.Failed, "5.1.1", FailureScope.Recipient), (results[2].Action, results[2].Status, results[2].Scope));
        Assert.Equal((DeliveryAction.Failed, "5.6.0", FailureScope.Recipient), (results[3].Action, results[3].Status, results[3].Scope));
        Assert.Contains(peer.Commands, c => c.StartsWith("LHLO "));
        Assert.DoesNotContain(peer.Commands, c => c.StartsWith("EHLO") || c.StartsWith("HELO"));
    }

    [Fact]
    public async Task Lmtp_over_a_unix_domain_socket()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pb-lmtp-{Guid.NewGuid():N}.sock");
        try
        {
            await using var peer = new ScriptedSmtpPeer(Script(), unixSocketPath: path);
            var agent = new LmtpDeliveryAgent(new LmtpDeliveryOptions { Endpoint = "unix:" + path });
            var result = Assert.Single(await agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "ok@example.org"), CancellationToken.None));
            Assert.Equal(DeliveryAction.Delivered, result.Action);
            Assert.Equal(System.Text.Encoding.ASCII.GetBytes(TestMessages.SimpleBody), Assert.Single(peer.Transactions).Data);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Unreachable_lmtp_server_defers_with_session_scope()
    {
        var agent = new LmtpDeliveryAgent(new LmtpDeliveryOptions { Endpoint = $"127.0.0.1:{TestMessages.ClosedPort()}" });
        var result = Assert.Single(await agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "ok@example.org"), CancellationToken.None));
        Assert.Equal((DeliveryAction.Delayed, "4.4.1", FailureScope.Session), (result.Action, result.Status, result.Scope));
    }
}
