using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;
using Postbote.TestSupport.Peers;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.MailAuth;

/// <summary>
/// SRS (issue 12): mail that an alias forwards off-site leaves with an SRS0 envelope sender of ours, so SPF passes
/// at the next hop; a bounce to that address comes back through our MX to the original sender; a forged SRS address
/// is refused at RCPT. Against a private Postfix on loopback as the remote site.
/// </summary>
public sealed class SrsForwardingTests
{
    private static async Task<string> RcptAsync(PostboteTestServer server, string from, string to)
    {
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort, ServerAddress);
        Assert.StartsWith("220 ", await c.ReadAsync());
        await c.SendLineAsync("EHLO bounce.peer.test");
        await c.ReadReplyAsync();
        Assert.StartsWith("250", await c.CommandAsync($"MAIL FROM:<{from}>"));
        return await c.CommandAsync($"RCPT TO:<{to}>");
    }

    [Fact]
    public async Task Forwarded_mail_leaves_with_an_SRS0_sender_the_local_copy_keeps_the_original_and_a_bounce_reaches_the_sender()
    {
        if (PostfixInstance.UnavailableReason is { } reason) Assert.Fail($"peer not available: {reason} (scripts/install-test-deps.sh installs it; run as root)");
        await using var postfix = PostfixInstance.FinalDestination("peer.test", "bob", "alice");
        await postfix.StartAsync();
        using var dns = new TestDnsServer().AddMx("peer.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1");
        await using var server = await StartServerAsync(dns, postfix.Port, o =>
        {
            o.Srs.Enabled = true;
            o.Srs.Domain = PostboteTestServer.Domain;
        });
        await server.AddUserAsync("carol@test.local", "pw-carol-1");
        await server.Directory.AddAliasAsync("team@test.local", ["carol@test.local", "bob@peer.test"]);

        var message = Message("alice@peer.test", "team@test.local", "forwarded through an alias");
        var id = await SubmitTrustedAsync(server, "alice@peer.test", "team@test.local", message);

        var files = await postfix.WaitForMessagesAsync("bob@peer.test", 1, Deadline);
        Assert.True(files.Count == 1, $"nothing arrived at Postfix.\nPostbote:\n{Dump(server)}\nPostfix:\n{postfix.ReadMaillog()}");
        var forwarded = Utf8(await File.ReadAllBytesAsync(files[0]));
        var srs = System.Text.RegularExpressions.Regex.Match(forwarded, @"^Return-Path: <(SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=peer\.test=alice@test\.local)>\n");
        Assert.True(srs.Success, forwarded);
        Assert.EndsWith(Lf(message), forwarded); // the message itself is untouched
        Assert.Contains(server.Log.Lines, l => l.Contains($"{id}: srs: from=<alice@peer.test> rewritten to <{srs.Groups[1].Value}> for 1 forwarded recipient(s)"));

        var local = await Postbote.IntegrationTests.RemoteDelivery.LocalMailbox.WaitAsync(server, "carol");
        Assert.StartsWith("Return-Path: <alice@peer.test>\r\n", Utf8(await File.ReadAllBytesAsync(local[0])));

        // The remote site bounces to the SRS address: accepted at RCPT, delivered to the original sender.
        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort, ServerAddress))
        {
            Assert.StartsWith("220 ", await c.ReadAsync());
            await c.SendLineAsync("EHLO mx.peer.test");
            await c.ReadReplyAsync();
            Assert.StartsWith("250", await c.CommandAsync("MAIL FROM:<>"));
            Assert.StartsWith("250", await c.CommandAsync($"RCPT TO:<{srs.Groups[1].Value.ToLowerInvariant()}>")); // case folded on the way
            Assert.StartsWith("354", await c.CommandAsync("DATA"));
            Assert.StartsWith("250", await c.CommandAsync("From: MAILER-DAEMON@peer.test\r\nTo: <" + srs.Groups[1].Value + ">\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\nbob is gone\r\n."));
            await c.CommandAsync("QUIT");
        }
        var bounced = await postfix.WaitForMessagesAsync("alice@peer.test", 1, Deadline);
        Assert.True(bounced.Count == 1, $"the bounce did not reach alice.\nPostbote:\n{Dump(server)}\nPostfix:\n{postfix.ReadMaillog()}");
        var dsn = Utf8(await File.ReadAllBytesAsync(bounced[0]));
        Assert.StartsWith("Return-Path: <>\n", dsn);
        Assert.Contains("Subject: Undelivered Mail Returned to Sender\n", dsn);
        Assert.True(await PollAsync(server.IsSpoolEmpty), "the spool still holds mail:\n" + Dump(server));
    }

    [Fact]
    public async Task A_forged_or_malformed_SRS_address_is_refused_at_RCPT_with_550_5_7_1_and_ordinary_addresses_are_untouched()
    {
        using var dns = new TestDnsServer();
        await using var server = await StartServerAsync(dns, 1, o =>
        {
            o.Srs.Enabled = true;
            o.Srs.Domain = "bounces.test.local";
        });
        Assert.Equal("550 5.7.1 <SRS0=AAAA=JX=peer.test=alice@bounces.test.local>: SRS address with an invalid signature, not one of ours",
            await RcptAsync(server, "", "SRS0=AAAA=JX=peer.test=alice@bounces.test.local"));
        Assert.Equal("550 5.7.1 <SRS0=AAAA@bounces.test.local>: malformed SRS address", await RcptAsync(server, "", "SRS0=AAAA@bounces.test.local"));
        Assert.Contains(server.Log.Lines, l => l.Contains("<SRS0=AAAA=JX=peer.test=alice@bounces.test.local>: SRS address refused (BadHash)"));
        // The secret was made on first use, readable by the server alone.
        var secret = Path.Combine(server.DataDirectory, "srs.secret");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        // Not SRS-shaped, and not our SRS domain: the usual rules (no relay for strangers... here loopback is trusted).
        Assert.StartsWith("250", await RcptAsync(server, "x@peer.test", "carol@test.local"));
    }

    [Fact]
    public async Task Srs_off_by_default_an_SRS_shaped_address_is_just_an_address()
    {
        using var dns = new TestDnsServer();
        await using var server = await StartServerAsync(dns, 1);
        await server.AddUserAsync("carol@test.local", "pw-carol-1");
        Assert.StartsWith("550 5.1.1", await RcptAsync(server, "", "SRS0=AAAA=JX=peer.test=alice@test.local"));
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "srs.secret")));
    }
}
