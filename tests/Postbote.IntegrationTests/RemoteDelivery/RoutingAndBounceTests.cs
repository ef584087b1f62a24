using System.Net;
using MimeKit;
using Postbote.Core.Envelope;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.RemoteDelivery;

/// <summary>
/// MX routing (RFC 5321 §5.1, RFC 7505) and bounces (RFC 3461/3462/3464) end to end: the sender is a local
/// user, so every DSN lands in their Maildir and is parsed with MimeKit.
/// </summary>
public sealed class RoutingAndBounceTests
{
    private const string Sender = "alice@test.local";

    private static async Task<PostboteTestServer> StartWithLocalSenderAsync(TestDnsServer dns, int peerPort, Action<Postbote.Configuration.PostboteOptions>? more = null)
    {
        var server = await StartServerAsync(dns, peerPort, more);
        await server.AddUserAsync(Sender, "Alice-pass-1");
        return server;
    }

    [Fact]
    public async Task RemoteDelivery_TwoMx_PreferredHostRefusesConnections_DeliveredToBackup()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        // The preferred MX resolves to 127.0.0.3, where nothing listens on the peer's port (Delivery:Port is one port for all MX).
        using var dns = new TestDnsServer()
            .AddMx("two.test", 10, "primary.two.test").AddA("primary.two.test", "127.0.0.3")
            .AddMx("two.test", 20, "backup.two.test").AddA("backup.two.test", "127.0.0.1");
        await using var server = await StartWithLocalSenderAsync(dns, peer.Port);

        var message = Message(Sender, "bob@two.test", "to the backup MX");
        var id = await SubmitTrustedAsync(server, Sender, "bob@two.test", message);

        Assert.True(await PollAsync(() => !peer.Transactions.IsEmpty && peer.Transactions.First().Data is not null), "backup got nothing:\n" + Dump(server));
        var tx = Assert.Single(peer.Transactions);
        Assert.EndsWith(message, Utf8(tx.Data!)); // byte-exact after our Received:, dot-stuffing undone by the peer
        Assert.Equal("bob@two.test", Assert.Single(tx.AcceptedRecipients));
        Assert.True(await PollAsync(() => server.Queued().Count == 0), "still queued:\n" + Dump(server));
        var line = Assert.Single(Attempts(server, id));
        var m = AttemptLine().Match(line);
        Assert.True(m.Success, line);
        Assert.Equal($"backup.two.test[127.0.0.1]:{peer.Port}", m.Groups["relay"].Value);
        Assert.Equal("sent", m.Groups["status"].Value);
    }

    [Fact]
    public async Task RemoteDelivery_RcptRefusedWith550_DsnToLocalSender_IsAnRfc3464Report()
    {
        var peer = new ScriptedSmtpPeer(new SmtpPeerScript { RcptReply = _ => "550 5.1.1 <bob@peer.test>: Recipient address rejected: User unknown" });
        await using var _ = peer;
        using var dns = new TestDnsServer().AddMx("peer.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1");
        await using var server = await StartWithLocalSenderAsync(dns, peer.Port);

        var message = Message(Sender, "bob@peer.test", "will bounce");
        var id = await SubmitTrustedAsync(server, Sender, "bob@peer.test", message);

        var files = await LocalMailbox.WaitAsync(server, "alice");
        Assert.True(files.Count == 1, "no DSN for the sender:\n" + Dump(server));
        Assert.True(await PollAsync(() => server.Queued().Count == 0), "still queued:\n" + Dump(server));
        var line = Assert.Single(Attempts(server, id));
        var m = AttemptLine().Match(line);
        Assert.True(m.Success, line);
        Assert.Equal(("5.1.1", "bounced"), (m.Groups["dsn"].Value, m.Groups["status"].Value));
        Assert.Equal($"mx.peer.test[127.0.0.1]:{peer.Port}", m.Groups["relay"].Value);
        Assert.Contains("550 5.1.1", m.Groups["reply"].Value);

        var raw = Utf8(await File.ReadAllBytesAsync(files[0]));
        Assert.StartsWith("Return-Path: <>\r\n", raw); // the DSN travelled with the null reverse path (RFC 3461 §6.2)
        var dsn = MimeMessage.Load(files[0]);
        var status = AssertReport(dsn, "bob@peer.test", "failed", "5.1.1");
        Assert.Equal("dns; mx.peer.test", status["Remote-MTA"]);
        Assert.StartsWith("smtp; 550 5.1.1", status["Diagnostic-Code"]); // RFC 3464 §2.3.6: the remote reply itself
        Assert.NotNull(status["Last-Attempt-Date"]);

        var headers = Assert.IsType<TextRfc822Headers>(((MultipartReport)dsn.Body)[2]);
        Assert.Equal("text/rfc822-headers", headers.ContentType.MimeType);
        Assert.Equal("will bounce", headers.Message.Subject);
        using var content = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        headers.WriteTo(format, content, contentOnly: true);
        var returned = Utf8(content.ToArray());
        var originalHeaders = message[..message.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.EndsWith(originalHeaders + "\r\n", returned.TrimEnd('\r', '\n') + "\r\n");
        Assert.Contains("by mx.test.local (Postbote) with ESMTP id " + id, returned);
        Assert.DoesNotContain("Line one.", returned); // headers only (no RET=FULL)
    }

    [Fact]
    public async Task RemoteDelivery_NullMx_BouncesAtOnceWith5_1_10_WithoutConnecting()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        using var dns = new TestDnsServer().AddNullMx("nomail.test");
        await using var server = await StartWithLocalSenderAsync(dns, peer.Port);

        var id = await SubmitTrustedAsync(server, Sender, "bob@nomail.test", Message(Sender, "bob@nomail.test", "null MX"));

        var files = await LocalMailbox.WaitAsync(server, "alice");
        Assert.True(files.Count == 1, "no DSN:\n" + Dump(server));
        var line = Assert.Single(Attempts(server, id));
        var m = AttemptLine().Match(line);
        Assert.True(m.Success, line);
        Assert.Equal(("5.1.10", "bounced", "none"), (m.Groups["dsn"].Value, m.Groups["status"].Value, m.Groups["relay"].Value));
        AssertReport(MimeMessage.Load(files[0]), "bob@nomail.test", "failed", "5.1.10");
        Assert.Equal(0, peer.ConnectionCount);
        Assert.True(await PollAsync(() => server.Queued().Count == 0), "still queued:\n" + Dump(server));
    }

    [Fact]
    public async Task RemoteDelivery_NxDomain_BouncesWith5_1_2()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        using var dns = new TestDnsServer().SetNxDomain("gone.test");
        await using var server = await StartWithLocalSenderAsync(dns, peer.Port);

        var id = await SubmitTrustedAsync(server, Sender, "bob@gone.test", Message(Sender, "bob@gone.test", "NXDOMAIN"));

        var files = await LocalMailbox.WaitAsync(server, "alice");
        Assert.True(files.Count == 1, "no DSN:\n" + Dump(server));
        var m = AttemptLine().Match(Assert.Single(Attempts(server, id)));
        Assert.Equal(("5.1.2", "bounced"), (m.Groups["dsn"].Value, m.Groups["status"].Value));
        var status = AssertReport(MimeMessage.Load(files[0]), "bob@gone.test", "failed", "5.1.2");
        Assert.Null(status["Remote-MTA"]); // no host was reached
        Assert.Equal(0, peer.ConnectionCount);
    }

    [Fact]
    public async Task RemoteDelivery_ServFail_IsTemporary_MessageStaysDeferred_NoDsn()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        using var dns = new TestDnsServer().SetServFail("broken.test");
        await using var server = await StartWithLocalSenderAsync(dns, peer.Port);

        var id = await SubmitTrustedAsync(server, Sender, "bob@broken.test", Message(Sender, "bob@broken.test", "SERVFAIL"));

        Assert.True(await PollAsync(() => Attempts(server, id).Count > 0), "no attempt:\n" + Dump(server));
        var m = AttemptLine().Match(Attempts(server, id)[0]);
        Assert.True(m.Success, Attempts(server, id)[0]);
        Assert.Equal(("deferred", "none"), (m.Groups["status"].Value, m.Groups["relay"].Value));
        Assert.StartsWith("4.", m.Groups["dsn"].Value);
        var envelope = Assert.Single(server.Queued());
        Assert.Equal(id, envelope.QueueId);
        var r = Assert.Single(envelope.Recipients);
        Assert.Equal(RecipientState.Pending, r.State);
        Assert.StartsWith("4.", r.Status);
        Assert.Contains("broken.test", r.Diagnostic);
        Assert.True(envelope.NextAttempt > DateTimeOffset.UtcNow, "the retry is scheduled for later");
        Assert.Empty(Postbote.TestSupport.Peers.PeerMaildir.MessageFiles(LocalMailbox.MaildirOf(server, "alice")));
        Assert.Equal(0, peer.ConnectionCount);
    }

    [Fact]
    public async Task RemoteDelivery_MxOnOwnAddressButAnotherPort_IsNotALoop()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        using var dns = new TestDnsServer().AddMx("peer.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1");
        // The server listens on 127.0.0.1 (the fixture's default), the peer on 127.0.0.1:another port.
        await using var server = await PostboteTestServer.StartAsync(o =>
        {
            o.Queue.DeferDelivery = false;
            o.Dns.Servers = new[] { dns.Endpoint };
            o.Delivery.Port = peer.Port;
            o.Delivery.Tls.Level = "none";
            o.TrustedNetworks = new[] { "127.0.0.0/8" };
        });
        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            await c.ReadAsync();
            await c.CommandAsync("EHLO client.test");
            await c.CommandAsync("MAIL FROM:<x@client.test>");
            await c.CommandAsync("RCPT TO:<bob@peer.test>");
            await c.CommandAsync("DATA");
            Assert.StartsWith("250", await c.CommandAsync("Subject: loop?\r\n\r\nhi\r\n."));
        }
        Assert.True(await PollAsync(() => !peer.Transactions.IsEmpty), "not delivered:\n" + Dump(server));
    }

    [Fact]
    public async Task RemoteDelivery_MxOnOwnListenerAddressAndPort_IsAMailLoop_5_4_6()
    {
        using var dns = new TestDnsServer().AddMx("loop.test", 10, "mx.loop.test").AddA("mx.loop.test", ServerAddress);
        // Delivery:Port is the MX listener's own port: the MX really is this server.
        int port = Postbote.TestSupport.Peers.LoopbackPort.Free();
        await using var server = await StartWithLocalSenderAsync(dns, port, o => o.Listeners![0].Endpoint = $"{ServerAddress}:{port}");
        var id = await SubmitTrustedAsync(server, Sender, "bob@loop.test", Message(Sender, "bob@loop.test", "loop"));
        var files = await LocalMailbox.WaitAsync(server, "alice");
        Assert.True(files.Count == 1, "no DSN:\n" + Dump(server));
        var m = AttemptLine().Match(Assert.Single(Attempts(server, id)));
        Assert.Equal(("5.4.6", "bounced"), (m.Groups["dsn"].Value, m.Groups["status"].Value));
    }

    /// <summary>Checks the RFC 3462/3464 shape of a DSN from MAILER-DAEMON and returns the recipient's status fields.</summary>
    internal static HeaderList AssertReport(MimeMessage dsn, string recipient, string action, string status)
    {
        Assert.Equal("MAILER-DAEMON@mx.test.local", Assert.Single(dsn.From.Mailboxes).Address);
        Assert.Equal(Sender, Assert.Single(dsn.To.Mailboxes).Address);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        Assert.Equal("delivery-status", report.ReportType);
        Assert.Equal("delivery-status", report.ContentType.Parameters["report-type"]);
        Assert.Equal(3, report.Count);
        Assert.Equal("text/plain", report[0].ContentType.MimeType);
        var delivery = Assert.IsType<MessageDeliveryStatus>(report[1]);
        Assert.Equal("message/delivery-status", delivery.ContentType.MimeType);
        Assert.True(delivery.StatusGroups.Count >= 2, "per-message fields and one recipient group");
        Assert.Equal("dns; mx.test.local", delivery.StatusGroups[0]["Reporting-MTA"]);
        var group = delivery.StatusGroups[1];
        Assert.Equal("rfc822; " + recipient, group["Final-Recipient"]);
        Assert.Equal(action, group["Action"]);
        Assert.Equal(status, group["Status"]);
        Assert.Matches(@"^5\.\d{1,3}\.\d{1,3}$", group["Status"]);
        return group;
    }
}
