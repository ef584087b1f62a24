using System.Security.Cryptography;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;
using Postbote.TestSupport;

namespace Postbote.IntegrationTests.MailAuth;

/// <summary>
/// Issue 12 on port 25, the real server on loopback, all DNS from a test server: the walk-through's forged
/// From: bill@microsoft.com refused by DMARC (RFC 7489) with 550 5.7.1; aligned DKIM (signed by python3-dkim) and aligned
/// SPF delivered with our Authentication-Results (RFC 8601) on top and a forged one claiming our name left out;
/// p=quarantine and pct=0 delivered to the Junk folder; a policy lookup that times out accepted with dmarc=temperror.
/// </summary>
public sealed class DmarcTests : IDisposable
{
    private readonly RSA _key = RSA.Create(1024); // its record fits one TXT string
    private readonly TestDnsServer _dns;

    public DmarcTests()
    {
        _dns = new TestDnsServer()
            .AddTxt("microsoft.com", "v=spf1 -all")
            .AddTxt("_dmarc.microsoft.com", "v=DMARC1; p=reject")
            .AddTxt("microsoft.test", "v=spf1 -all")
            .AddTxt("_dmarc.microsoft.test", "v=DMARC1; p=reject; rua=mailto:dmarc@microsoft.test")
            .AddTxt("sel._domainkey.microsoft.test", "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo()))
            .AddTxt("spf.test", "v=spf1 ip4:127.0.0.0/8 -all")
            .AddTxt("_dmarc.spf.test", "v=DMARC1; p=reject; aspf=r")
            .AddTxt("_dmarc.q.test", "v=DMARC1; p=quarantine")
            .AddTxt("_dmarc.pct.test", "v=DMARC1; p=reject; pct=0")
            .SetHanging("_dmarc.slow.test");
    }

    public void Dispose()
    {
        _dns.Dispose();
        _key.Dispose();
    }

    private Task<PostboteTestServer> StartAsync(Action<Postbote.Configuration.PostboteOptions>? configure = null) =>
        LocalMail.StartDeliveringAsync(o =>
        {
            o.Dns.Servers = [_dns.Endpoint];
            o.Dns.Timeout = TimeSpan.FromSeconds(5); // a loaded CI machine can be slow to answer
            o.MailAuth.SpfEnabled = true;
            o.MailAuth.DkimVerifyEnabled = true;
            o.MailAuth.DmarcEnabled = true;
            configure?.Invoke(o);
        });

    private static string Message(string from, string subject, string extraHeaders = "") =>
        $"{extraHeaders}From: {from}\r\nTo: bob@test.local\r\nSubject: {subject}\r\nDate: Fri, 4 Dec 2026 10:00:00 +0000\r\n" +
        $"Message-ID: <{Guid.NewGuid():N}@test>\r\n\r\nHello Bob,\r\n\r\nthis is {subject}.\r\n";

    /// <summary>One transaction with the exact message bytes; the reply to the end of data.</summary>
    private static async Task<string> SendRawAsync(int port, string mailFrom, string message)
    {
        await using var c = await RawSmtpClient.ConnectAsync(port);
        Assert.StartsWith("220 ", await c.ReadAsync());
        Assert.StartsWith("250", await c.CommandAsync("EHLO client.example"));
        Assert.StartsWith("250", await c.CommandAsync($"MAIL FROM:<{mailFrom}>"));
        Assert.StartsWith("250", await c.CommandAsync("RCPT TO:<bob@test.local>"));
        Assert.StartsWith("354", await c.CommandAsync("DATA"));
        await c.SendAsync(message + ".\r\n");
        var reply = await c.ReadAsync();
        await c.CommandAsync("QUIT");
        return reply;
    }

    private static async Task<string> DeliveredAsync(PostboteTestServer server, string folder = "")
    {
        var maildir = LocalMail.MaildirOf(server.DataDirectory, "bob@test.local");
        var file = Assert.Single(await LocalMail.WaitForMessagesAsync(folder.Length == 0 ? maildir : Path.Combine(maildir, folder)));
        return await File.ReadAllTextAsync(file);
    }

    [Fact]
    public async Task Walkthrough_the_forged_From_bill_at_microsoft_com_is_refused_with_550_5_7_1_by_DMARC()
    {
        await using var server = await StartAsync();
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.Equal("220 mx.test.local ESMTP Postbote", await c.ReadAsync());
        await c.SendLineAsync("EHLO michael.client.de");
        Assert.StartsWith("250 ", (await c.ReadReplyAsync())[^1]);
        Assert.Equal("250 2.1.0 Ok", await c.CommandAsync("MAIL FROM: test@domain.de"));
        Assert.Equal("250 2.1.5 Ok", await c.CommandAsync("RCPT TO: XXX@test.local"));
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await c.CommandAsync("DATA"));
        await c.SendAsync("From: bill@microsoft.com\r\nTo: empfaenger@domain.de\r\nSubject: Testmail\r\n\r\n" +
                          "Testmails sind toll, diese hier ist eine ganz einfache, ohne HTML, ohne Anhänge usw.\r\n.\r\n");
        Assert.Equal("550 5.7.1 Message rejected: DMARC policy of microsoft.com", await c.ReadAsync());
        Assert.Equal("221 2.0.0 Bye", await c.CommandAsync("quit"));
        Assert.Empty(server.Queued());
        Assert.Contains(server.Log.Lines, l => l.Contains("auth: client=[127.0.0.1] dkim=none dmarc=fail header.from=microsoft.com p=reject dis=reject action=reject"));
    }

    [Fact]
    public async Task Rfc7489_6_6_1_a_message_without_From_or_with_two_is_refused()
    {
        await using var server = await StartAsync();
        Assert.Equal("550 5.7.1 Message rejected: no From: field (RFC 5322 section 3.6 requires one)",
            await SendRawAsync(server.MxPort, "a@spf.test", "To: bob@test.local\r\nSubject: anonymous\r\n\r\nhi\r\n"));
        Assert.Equal("550 5.7.1 Message rejected: 2 From: fields (RFC 5322 section 3.6 allows one)",
            await SendRawAsync(server.MxPort, "a@spf.test", "From: a@spf.test\r\n" + Message("bill@microsoft.com", "two authors")));
        Assert.Empty(server.Queued());
    }

    [Fact]
    public async Task The_same_From_signed_by_python3_dkim_for_microsoft_test_passes_and_is_delivered_with_dkim_and_dmarc_pass()
    {
        Assert.True(DkimPy.Available, "python3-dkim is not installed (run scripts/install-test-deps.sh)");
        await using var server = await StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        var signed = await DkimPy.SignAsync(Message("Bill Gates <bill@microsoft.test>", "signed"), "microsoft.test", "sel", _key.ExportRSAPrivateKeyPem());
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as ", await SendRawAsync(server.MxPort, "bill@microsoft.test", signed));
        var text = await DeliveredAsync(server);
        Assert.Matches(@"\r\nAuthentication-Results: mx\.test\.local;\r\n"
            + @"\tspf=fail \(microsoft\.test does not designate 127\.0\.0\.1 as permitted sender\) smtp\.mailfrom=bill@microsoft\.test;\r\n"
            + @"\tdkim=pass header\.d=microsoft\.test header\.s=sel header\.a=rsa-sha256;\r\n"
            + @"\tdmarc=pass \(p=reject dis=none\) header\.from=microsoft\.test\r\n"
            + @"Received-SPF: fail ", text);
        Assert.EndsWith(signed, text); // the stored message is byte-exact
    }

    [Fact]
    public async Task Aligned_SPF_passes_and_a_forged_Authentication_Results_with_our_name_is_left_out_a_foreign_one_kept()
    {
        await using var server = await StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        var forged = "Authentication-Results: MX.test.local;\r\n\tdkim=pass header.d=microsoft.test\r\n";
        var foreign = "Authentication-Results: mx.other.example; spf=pass smtp.mailfrom=a@spf.test\r\n";
        var message = Message("a@spf.test", "aligned spf", forged + foreign);
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as ", await SendRawAsync(server.MxPort, "a@spf.test", message));
        var text = await DeliveredAsync(server);
        Assert.Contains("\r\nAuthentication-Results: mx.test.local;\r\n\tspf=pass (spf.test designates 127.0.0.1 as permitted sender) smtp.mailfrom=a@spf.test;\r\n"
            + "\tdkim=none;\r\n\tdmarc=pass (p=reject dis=none) header.from=spf.test\r\n", text);
        Assert.DoesNotContain("MX.test.local", text);
        Assert.DoesNotContain("header.d=microsoft.test", text);
        Assert.Contains("\r\n" + foreign + "From: a@spf.test\r\n", text);
        Assert.Contains(server.Log.Lines, l => l.Contains("1 Authentication-Results field(s) claiming our host name removed"));
    }

    [Fact]
    public async Task P_quarantine_is_delivered_to_the_Junk_folder_with_X_Spam_Flag()
    {
        await using var server = await StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as ", await SendRawAsync(server.MxPort, "a@spf.test", Message("a@q.test", "quarantined")));
        var text = await DeliveredAsync(server, ".Junk");
        Assert.Contains("\tdmarc=fail (p=quarantine dis=quarantine) header.from=q.test\r\nX-Spam-Flag: YES\r\n", text);
        Assert.StartsWith("Return-Path: <a@spf.test>\r\nDelivered-To: bob@test.local\r\n", text);
        Assert.Empty(LocalMail.AllMessageFiles(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local")));
    }

    [Fact]
    public async Task Rfc7489_6_6_4_pct_0_spares_a_p_reject_fail_from_rejection_it_is_quarantined()
    {
        await using var server = await StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as ", await SendRawAsync(server.MxPort, "a@spf.test", Message("a@pct.test", "sampled out")));
        var text = await DeliveredAsync(server, ".Junk");
        Assert.Contains("\tdmarc=fail (p=reject dis=quarantine) header.from=pct.test\r\n", text);
    }

    [Fact]
    public async Task DmarcRejectAction_none_delivers_the_forgery_marked_fail()
    {
        await using var server = await StartAsync(o => o.MailAuth.DmarcRejectAction = "none");
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as ", await SendRawAsync(server.MxPort, "test@domain.de", Message("bill@microsoft.com", "let through")));
        Assert.Contains("\tdmarc=fail (p=reject dis=reject) header.from=microsoft.com\r\n", await DeliveredAsync(server));
    }

    [Fact]
    public async Task A_policy_lookup_that_times_out_never_loses_mail_it_is_accepted_with_dmarc_temperror()
    {
        await using var server = await StartAsync(o => o.MailAuth.EndOfDataCheckBudget = TimeSpan.FromSeconds(1));
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as ", await SendRawAsync(server.MxPort, "a@spf.test", Message("a@slow.test", "slow dns")));
        var text = await DeliveredAsync(server);
        Assert.Contains("\tdmarc=temperror (_dmarc.slow.test: time budget exhausted) header.from=slow.test\r\n", text);
    }

    [Fact]
    public async Task DmarcTempErrorAction_defer_answers_451_4_7_1()
    {
        await using var server = await StartAsync(o =>
        {
            o.MailAuth.EndOfDataCheckBudget = TimeSpan.FromSeconds(1);
            o.MailAuth.DmarcTempErrorAction = "defer";
        });
        Assert.Equal("451 4.7.1 Message authentication could not be completed, try again later",
            await SendRawAsync(server.MxPort, "a@spf.test", Message("a@slow.test", "slow dns")));
        Assert.Empty(server.Queued());
    }
}
