using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport.Peers;

namespace Postbote.IntegrationTests;

/// <summary>Postfix's own SMTP client as the sending MTA: a private Postfix relays its domain to Postbote's MX listener.</summary>
public sealed class PostfixInteropTests
{
    [RequiresToolFact("postfix")]
    public async Task PostfixRelaysToPostbote_TheMessageIsQueuedByteExact_WithPostfixsTraceBelowOurs()
    {
        if (PostfixInstance.UnavailableReason is { } reason) Assert.Fail(reason);
        await using var server = await PostboteTestServer.StartAsync();
        await using var postfix = PostfixInstance.RelayTo(PostboteTestServer.Domain, "127.0.0.1", server.MxPort);
        await postfix.StartAsync();

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@postfix.example"));
        message.To.Add(MailboxAddress.Parse("bob@test.local"));
        message.Subject = "via Postfix";
        message.Body = new TextPart("plain") { Text = "Zeile 1\n.Zeile mit Punkt\nZeile 3" };
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync("127.0.0.1", postfix.Port, SecureSocketOptions.None);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(true);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (server.Queued().Count == 0 && DateTime.UtcNow < deadline)
        {
            await postfix.FlushQueueAsync();
            await Task.Delay(200);
        }
        var env = Assert.Single(server.Queued());
        Assert.Equal("alice@postfix.example", env.ReversePath);
        Assert.Equal("bob@test.local", Assert.Single(env.Recipients).Address);
        Assert.Equal("ESMTP", env.Protocol[..5]);
        var text = System.Text.Encoding.UTF8.GetString(server.MessageBytes(env.QueueId));
        Assert.StartsWith("Received: from ", text);
        Assert.Contains("by mx.test.local (Postbote)", text);
        Assert.Contains("(Postfix)", text); // Postfix's own Received follows ours
        Assert.Contains("\r\n.Zeile mit Punkt\r\n", text);
        Assert.Contains("status=sent", postfix.ReadMaillog());
    }
}
