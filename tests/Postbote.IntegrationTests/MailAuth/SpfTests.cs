using MailKit.Net.Smtp;
using MailKit.Security;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;
using Postbote.TestSupport;

namespace Postbote.IntegrationTests.MailAuth;

/// <summary>
/// Inbound SPF on port 25 (RFC 7208): checked at MAIL for strangers, recorded in a Received-SPF field (§9.1) above our
/// Received:, never a reason to refuse by default; MailAuth:SpfFailAction=reject refuses a fail with 550 5.7.23 (RFC 7372).
/// </summary>
public sealed class SpfTests : IDisposable
{
    private readonly TestDnsServer _dns = new TestDnsServer()
        .AddTxt("pass.example", "v=spf1 ip4:127.0.0.0/8 -all")
        .AddTxt("fail.example", "v=spf1 ip4:192.0.2.0/24 -all");

    private Task<PostboteTestServer> StartAsync(Action<Postbote.Configuration.PostboteOptions>? configure = null) =>
        LocalMail.StartDeliveringAsync(o =>
        {
            o.Dns.Servers = [_dns.Endpoint];
            o.Dns.Timeout = TimeSpan.FromSeconds(5); // a loaded CI machine can take more than the fixture's 1 s to answer
            o.MailAuth.SpfEnabled = true;
            configure?.Invoke(o);
        });

    [Fact]
    public async Task Pass_and_fail_senders_are_delivered_with_their_Received_SPF_above_our_Received()
    {
        await using var server = await StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("a@pass.example", "bob@test.local", "one", "pass"), "a@pass.example", "bob@test.local");
        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("b@fail.example", "bob@test.local", "two", "fail"), "b@fail.example", "bob@test.local");

        var files = await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"), 2);
        var texts = await Task.WhenAll(files.Select(f => File.ReadAllTextAsync(f)));
        var pass = Assert.Single(texts, t => t.Contains("Subject: one"));
        var fail = Assert.Single(texts, t => t.Contains("Subject: two"));

        Assert.Matches(@"^Return-Path: <a@pass\.example>\r\nDelivered-To: bob@test\.local\r\nReceived-SPF: pass \(mx\.test\.local: pass\.example designates 127\.0\.0\.1 as permitted sender\)\r\n"
            + @"\treceiver=mx\.test\.local; client-ip=127\.0\.0\.1; envelope-from=""a@pass\.example""; helo=""[^""]+"";\r\n\tidentity=mailfrom;\r\nReceived: from ", pass);
        Assert.Matches(@"\r\nReceived-SPF: fail \(mx\.test\.local: fail\.example does not designate 127\.0\.0\.1 as permitted sender\)\r\n"
            + @"\treceiver=mx\.test\.local; client-ip=127\.0\.0\.1; envelope-from=""b@fail\.example""; [^\r]*\r\n\tidentity=mailfrom;\r\nReceived: from ", fail);
        Assert.Contains(server.Log.Lines, l => l.Contains("spf: from=<b@fail.example>") && l.Contains("result=fail"));
    }

    [Fact]
    public async Task SpfFailAction_reject_refuses_a_fail_at_MAIL_with_550_5_7_23_and_still_takes_a_pass()
    {
        await using var server = await StartAsync(o => o.MailAuth.SpfFailAction = "reject");
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", server.MxPort, SecureSocketOptions.None).WaitAsync(LocalMail.Deadline);
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(
            LocalMail.NewMessage("b@fail.example", "bob@test.local", "two", "fail"),
            MimeKit.MailboxAddress.Parse("b@fail.example"), [MimeKit.MailboxAddress.Parse("bob@test.local")]).WaitAsync(LocalMail.Deadline));
        Assert.Equal(SmtpErrorCode.SenderNotAccepted, refused.ErrorCode);
        Assert.Equal(550, (int)refused.StatusCode);
        Assert.StartsWith("5.7.23 SPF: fail.example does not designate 127.0.0.1", refused.Message);

        await client.SendAsync(LocalMail.NewMessage("a@pass.example", "bob@test.local", "one", "pass"),
            MimeKit.MailboxAddress.Parse("a@pass.example"), [MimeKit.MailboxAddress.Parse("bob@test.local")]).WaitAsync(LocalMail.Deadline);
        await client.DisconnectAsync(true).WaitAsync(LocalMail.Deadline);
        var file = Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local")));
        Assert.Contains("\r\nReceived-SPF: pass ", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task A_DNS_failure_never_loses_mail_the_message_is_accepted_with_temperror()
    {
        _dns.SetServFail("down.example");
        await using var server = await StartAsync(o => o.MailAuth.SpfFailAction = "reject");
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("c@down.example", "bob@test.local", "three", "temp"), "c@down.example", "bob@test.local");
        var file = Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local")));
        Assert.Contains("\r\nReceived-SPF: temperror ", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task The_SPF_record_is_asked_once_for_two_sessions_through_the_shared_DNS_cache()
    {
        await using var server = await StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        for (var i = 0; i < 2; i++)
            await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("a@pass.example", "bob@test.local", $"m{i}", "pass"), "a@pass.example", "bob@test.local");
        var files = await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"), 2);
        foreach (var file in files) Assert.Contains("\r\nReceived-SPF: pass ", await File.ReadAllTextAsync(file));
        Assert.Equal(1, _dns.Queries.Count(q => q == "pass.example/Txt"));
    }

    [Fact]
    public async Task SpfTempErrorAction_defer_answers_451_4_7_24_at_MAIL()
    {
        _dns.SetServFail("down.example");
        await using var server = await StartAsync(o => o.MailAuth.SpfTempErrorAction = "defer");
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", server.MxPort, SecureSocketOptions.None).WaitAsync(LocalMail.Deadline);
        var deferred = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(
            LocalMail.NewMessage("c@down.example", "bob@test.local", "three", "temp"),
            MimeKit.MailboxAddress.Parse("c@down.example"), [MimeKit.MailboxAddress.Parse("bob@test.local")]).WaitAsync(LocalMail.Deadline));
        Assert.Equal(451, (int)deferred.StatusCode);
        Assert.StartsWith("4.7.24 ", deferred.Message);
        await client.DisconnectAsync(true).WaitAsync(LocalMail.Deadline);
    }

    [Fact]
    public async Task Trusted_clients_are_not_checked_and_get_no_Received_SPF()
    {
        await using var server = await StartAsync(o => o.TrustedNetworks = ["127.0.0.0/8"]);
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("b@fail.example", "bob@test.local", "two", "fail"), "b@fail.example", "bob@test.local");
        var file = Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local")));
        Assert.DoesNotContain("Received-SPF:", await File.ReadAllTextAsync(file));
        Assert.DoesNotContain(_dns.Queries, q => q.StartsWith("fail.example/", StringComparison.Ordinal));
    }

    public void Dispose() => _dns.Dispose();
}
