using System.Text;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;
using Postbote.Queue;
using Postbote.Smtpd.Filters;

namespace Postbote.IntegrationTests.Filters;

/// <summary>
/// Issue 13 "Content filters": the milter client against real python3-milter filters, one per action, at the
/// matching stage of a real SMTP session.
/// </summary>
public sealed class MilterTests
{
    private const string Message = "From: a@remote.example\r\nTo: bob@test.local\r\nSubject: hello\r\nX-Drop: gone\r\n\r\nline one\r\nline two\r\n";

    internal static Task<PostboteTestServer> StartAsync(string address, Action<MilterOptions>? configure = null) => PostboteTestServer.StartAsync(o =>
    {
        var milter = new MilterOptions { Name = "test", Address = address, CommandTimeout = TimeSpan.FromSeconds(5), EndOfMessageTimeout = TimeSpan.FromSeconds(5), ConnectTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(milter);
        o.Milters = [milter];
    });

    /// <summary>EHLO, MAIL, RCPT (each recipient), DATA and the message; returns the reply to the end of data.</summary>
    internal static async Task<string> SendAsync(RawSmtpClient c, string message = Message, params string[] recipients)
    {
        Assert.StartsWith("220", await c.ReadAsync());
        Assert.StartsWith("250", await c.CommandAsync("EHLO client.example"));
        Assert.StartsWith("250", await c.CommandAsync("MAIL FROM:<a@remote.example> SIZE=100"));
        foreach (var r in recipients.Length == 0 ? ["bob@test.local"] : recipients) Assert.StartsWith("250", await c.CommandAsync($"RCPT TO:<{r}>"));
        Assert.StartsWith("354", await c.CommandAsync("DATA"));
        return string.Join("\n", await SendDataAsync(c, message));
    }

    private static async Task<IReadOnlyList<string>> SendDataAsync(RawSmtpClient c, string message)
    {
        await c.SendAsync(message + ".\r\n");
        return await c.ReadReplyAsync();
    }

    private static string Stored(PostboteTestServer server, string id) => Encoding.UTF8.GetString(server.MessageBytes(id));

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task AcceptingMilter_SeesEveryStageWithPostfixsMacros_AndTheMessageIsStoredUnchanged()
    {
        await using var milter = await PyMilter.StartAsync("accept");
        await using var server = await StartAsync(milter.Address);
        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            Assert.StartsWith("250 2.0.0", await SendAsync(c));
            await c.CommandAsync("QUIT");
        }
        var queued = Assert.Single(server.Queued());
        Assert.EndsWith(Message, Stored(server, queued.QueueId));
        Assert.True(await LocalMail.WaitUntilAsync(() => milter.Events.Contains("close")));
        var events = milter.Events;
        Assert.Contains(events, e => e.StartsWith("connect [127.0.0.1] 127.0.0.1 j=mx.test.local daemon=mx client_addr=127.0.0.1"));
        Assert.Contains("helo client.example", events);
        Assert.Contains(events, e => e.StartsWith($"mail <a@remote.example> i={queued.QueueId} mail_addr=a@remote.example") && e.EndsWith("SIZE=100"));
        Assert.Contains("rcpt <bob@test.local> rcpt_addr=bob@test.local", events);
        Assert.Contains("header Subject: hello", events);
        Assert.Contains(events, e => e.StartsWith("header Received: from client.example"));
        Assert.Contains("body 20", events);
        Assert.Contains($"eom i={queued.QueueId}", events);
        // Order of the dialogue: connect, helo, mail, rcpt, data, headers, eoh, body, eom.
        var order = new[] { "connect", "helo", "mail", "rcpt", "data", "header", "eoh", "body", "eom" }.Select(w => events.ToList().FindIndex(e => e.StartsWith(w))).ToList();
        Assert.Equal(order.OrderBy(i => i), order);
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task RejectAtEndOfMessage_IsTheMiltersReply_AndNothingIsQueued()
    {
        await using var milter = await PyMilter.StartAsync("reject");
        await using var server = await StartAsync(milter.Address);
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.Equal("554 5.7.1 Rejected by test milter", await SendAsync(c));
        Assert.Empty(server.Queued());
        Assert.Contains(server.Log.Lines, l => l.Contains("milter-reject: END-OF-MESSAGE from [127.0.0.1]") && l.Contains("milter=test"));
        // The session goes on: the next transaction is filtered again.
        Assert.StartsWith("250", await c.CommandAsync("MAIL FROM:<a@remote.example>"));
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task MultiLineReplyCode_ReachesTheClientAsAMultiLineReply()
    {
        await using var milter = await PyMilter.StartAsync("multiline");
        await using var server = await StartAsync(milter.Address);
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.Equal("550-5.7.0 first line\n550 5.7.0 second line", await SendAsync(c));
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task Tempfail_Is451()
    {
        await using var milter = await PyMilter.StartAsync("tempfail");
        await using var server = await StartAsync(milter.Address);
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.Equal("451 4.7.1 Service unavailable - try again later", await SendAsync(c));
        Assert.Empty(server.Queued());
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task RejectAtMail_AndAtOneRecipient_AnswerThoseCommands()
    {
        await using var mailMilter = await PyMilter.StartAsync("reject-mail");
        await using (var server = await StartAsync(mailMilter.Address))
        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            await c.ReadAsync();
            await c.CommandAsync("EHLO client.example");
            Assert.Equal("550 5.7.1 Sender refused by test milter", await c.CommandAsync("MAIL FROM:<a@remote.example>"));
            Assert.Equal("503 5.5.1 Error: need MAIL command", await c.CommandAsync("RCPT TO:<bob@test.local>"));
        }
        await using var rcptMilter = await PyMilter.StartAsync("reject-rcpt");
        await using (var server = await StartAsync(rcptMilter.Address))
        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            await c.ReadAsync();
            await c.CommandAsync("EHLO client.example");
            Assert.StartsWith("250", await c.CommandAsync("MAIL FROM:<a@remote.example>"));
            Assert.Equal("550 5.1.1 Recipient refused by test milter", await c.CommandAsync("RCPT TO:<refuse@test.local>"));
            Assert.StartsWith("250", await c.CommandAsync("RCPT TO:<bob@test.local>"));
            Assert.StartsWith("354", await c.CommandAsync("DATA"));
            Assert.StartsWith("250", string.Join("", await SendDataAsync(c, Message)));
            var queued = Assert.Single(server.Queued());
            Assert.Equal(["bob@test.local"], queued.Recipients.Select(r => r.Address));
        }
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task RejectAtConnect_RefusesMail_ButEhloStillWorks()
    {
        await using var milter = await PyMilter.StartAsync("reject-connect");
        await using var server = await StartAsync(milter.Address);
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        await c.ReadAsync();
        Assert.StartsWith("250", await c.CommandAsync("EHLO client.example"));
        Assert.Equal("550 5.7.1 Command rejected", await c.CommandAsync("MAIL FROM:<a@remote.example>"));
        Assert.Equal("550 5.7.1 Command rejected", await c.CommandAsync("MAIL FROM:<a@remote.example>"));
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task Discard_IsAcknowledged_ButNotQueued()
    {
        await using var milter = await PyMilter.StartAsync("discard");
        await using var server = await StartAsync(milter.Address);
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.StartsWith("250 2.0.0", await SendAsync(c));
        Assert.Empty(server.Queued());
        Assert.True(server.IsSpoolEmpty());
        Assert.Contains(server.Log.Lines, l => l.Contains("milter-discard"));
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task Quarantine_PutsTheMessageOnHold_WithTheReason()
    {
        await using var milter = await PyMilter.StartAsync("quarantine");
        await using var server = await StartAsync(milter.Address);
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.StartsWith("250 2.0.0", await SendAsync(c));
        Assert.Empty(server.Queued());
        var held = Assert.Single(server.Spool.List(QueueState.Hold));
        Assert.Equal("held by test milter", held.HoldReason);
        Assert.EndsWith(Message, Stored(server, held.QueueId));
        Assert.Contains(server.Log.Lines, l => l.Contains($"{held.QueueId}: hold:") && l.Contains("held by test milter"));
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task HeaderChanges_AreApplied_AndTheRestOfTheMessageIsByteForByteTheSame()
    {
        await using var milter = await PyMilter.StartAsync("headers");
        await using var server = await StartAsync(milter.Address);
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.StartsWith("250 2.0.0", await SendAsync(c));
        var queued = Assert.Single(server.Queued());
        var stored = Stored(server, queued.QueueId);
        Assert.StartsWith("X-Top: inserted at the top\r\nReceived: from client.example", stored);
        Assert.EndsWith("From: a@remote.example\r\nTo: bob@test.local\r\nSubject: changed by milter\r\nX-Milter: added\r\n\r\nline one\r\nline two\r\n", stored);
        Assert.DoesNotContain("X-Drop", stored);
        Assert.Equal(stored.Length, queued.Size);
        Assert.Empty(System.IO.Directory.GetFiles(server.Spool.TempDirectory)); // the original's temporary file is gone
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task ChangeOfSender_AndAddedAndDeletedRecipients_ChangeTheEnvelope()
    {
        await using var chgfrom = await PyMilter.StartAsync("chgfrom");
        await using (var server = await StartAsync(chgfrom.Address))
        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            Assert.StartsWith("250", await SendAsync(c));
            Assert.Equal("new-sender@remote.example", Assert.Single(server.Queued()).ReversePath);
        }
        await using var rcpts = await PyMilter.StartAsync("rcpts");
        await using (var server = await StartAsync(rcpts.Address))
        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            Assert.StartsWith("250", await SendAsync(c, Message, "bob@test.local", "carol@test.local"));
            var queued = Assert.Single(server.Queued());
            Assert.Equal(["carol@test.local", "added@test.local"], queued.Recipients.Select(r => r.Address));
        }
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task ReplacedBody_BecomesTheStoredMessage()
    {
        await using var milter = await PyMilter.StartAsync("replbody");
        await using var server = await StartAsync(milter.Address);
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.StartsWith("250", await SendAsync(c));
        var stored = Stored(server, Assert.Single(server.Queued()).QueueId);
        Assert.EndsWith("Subject: hello\r\nX-Drop: gone\r\n\r\nreplaced by the milter\r\n", stored);
        Assert.DoesNotContain("line one", stored);
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task BodyOverOneChunk_IsSentIn65535OctetChunks()
    {
        await using var milter = await PyMilter.StartAsync("accept");
        await using var server = await StartAsync(milter.Address);
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        var line = new string('x', 998) + "\r\n";
        var body = string.Concat(Enumerable.Repeat(line, 150)); // 150,000 octets
        Assert.StartsWith("250", await SendAsync(c, "Subject: big\r\n\r\n" + body));
        Assert.True(await LocalMail.WaitUntilAsync(() => milter.Events.Any(e => e.StartsWith("eom"))));
        Assert.Equal(["body 65535", "body 65535", "body 18930"], milter.Events.Where(e => e.StartsWith("body")));
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.PyMilter)]
    public async Task HangingMilter_TimesOut_AndTheDefaultActionDecides()
    {
        await using var milter = await PyMilter.StartAsync("hang");
        await using (var server = await StartAsync(milter.Address, m => m.EndOfMessageTimeout = TimeSpan.FromSeconds(1)))
        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            Assert.Equal("451 4.7.1 Service unavailable - try again later", await SendAsync(c));
            Assert.Empty(server.Queued());
            Assert.Contains(server.Log.Lines, l => l.Contains("milter test") && l.Contains("failed at END-OF-MESSAGE") && l.Contains("no reply within 1 s") && l.Contains("default action Tempfail"));
        }
        await using (var server = await StartAsync(milter.Address, m => { m.EndOfMessageTimeout = TimeSpan.FromSeconds(1); m.DefaultAction = FilterFailureAction.Accept; }))
        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            Assert.StartsWith("250", await SendAsync(c));
            Assert.Single(server.Queued());
        }
    }
}
