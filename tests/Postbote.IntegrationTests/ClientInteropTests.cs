using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests;

/// <summary>Real third-party clients against the real server on loopback: swaks, Python's smtplib, MailKit, msmtp, openssl.</summary>
public sealed class ClientInteropTests
{
    private const string User = "me@test.local", Password = "s3cret-Passw0rd";

    [RequiresToolFact("swaks")]
    public async Task Swaks_Port25_WithPipelining_IsQueued()
    {
        await using var server = await PostboteTestServer.StartAsync();
        var r = await ExternalTool.RunAsync("swaks", new[] { "--server", "127.0.0.1", "--port", server.MxPort.ToString(), "--from", "a@remote.example",
            "--to", "bob@test.local", "--pipeline", "--header", "Subject: swaks", "--body", "hello" });
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Matches(@"250 2\.0\.0 Ok: queued as", r.Output);
        Assert.Single(server.Queued());
    }

    [RequiresToolFact("swaks")]
    public async Task Swaks_Submission587_StartTls_AuthLogin_AndPlain()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync(User, Password);
        foreach (var mech in new[] { "LOGIN", "PLAIN" })
        {
            var r = await ExternalTool.RunAsync("swaks", new[] { "--server", "127.0.0.1", "--port", server.SubmissionPort.ToString(), "--tls",
                "--auth", mech, "--auth-user", User, "--auth-password", Password, "--from", User, "--to", "someone@far.example",
                "--header", "From: " + User });
            Assert.True(r.ExitCode == 0, r.Output);
            Assert.Contains("235 2.7.0 Authentication successful", r.Output);
        }
        Assert.Equal(2, server.Queued().Count);
        Assert.All(server.Queued(), e => Assert.Equal("ESMTPSA", e.Protocol));
    }

    [RequiresToolFact("swaks")]
    public async Task Swaks_Submissions465_ImplicitTls_CramMd5_ForAnOptedInUser()
    {
        await using var server = await PostboteTestServer.StartAsync(o => o.Auth.Mechanisms = new[] { "PLAIN", "LOGIN", "CRAM-MD5" });
        await server.AddUserAsync(User, Password, cramMd5: true);
        var r = await ExternalTool.RunAsync("swaks", new[] { "--server", "127.0.0.1", "--port", server.SubmissionsPort.ToString(), "--tlsc",
            "--auth", "CRAM-MD5", "--auth-user", User, "--auth-password", Password, "--from", User, "--to", "x@far.example", "--header", "From: " + User });
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("235 2.7.0", r.Output);
    }

    [RequiresToolFact("swaks")]
    public async Task Swaks_WrongPassword_Gets535()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync(User, Password);
        var r = await ExternalTool.RunAsync("swaks", new[] { "--server", "127.0.0.1", "--port", server.SubmissionPort.ToString(), "--tls",
            "--auth", "PLAIN", "--auth-user", User, "--auth-password", "wrong", "--from", User, "--to", "x@far.example" });
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("535 5.7.8", r.Output);
        Assert.Empty(server.Queued());
    }

    [RequiresToolFact("python3")]
    public async Task PythonSmtplib_Port25_AndSubmissionWithStartTlsAndLogin()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync(User, Password);
        var script = $$"""
            import smtplib, ssl
            s = smtplib.SMTP("127.0.0.1", {{server.MxPort}}, local_hostname="py.client.example")
            code, caps = s.ehlo()
            assert code == 250 and s.has_extn("pipelining") and s.has_extn("size") and s.has_extn("8bitmime"), caps
            refused = s.sendmail("py@remote.example", ["me@test.local"], "Subject: py\r\n\r\n.leading dot line\r\nbody\r\n")
            assert refused == {}, refused
            try:
                s.sendmail("py@remote.example", ["victim@elsewhere.example"], "Subject: relay\r\n\r\nx\r\n")
                raise SystemExit("relay accepted!")
            except smtplib.SMTPRecipientsRefused as e:
                code, msg = e.recipients["victim@elsewhere.example"]
                assert code == 554 and b"5.7.1" in msg, e.recipients
            s.quit()
            ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
            s = smtplib.SMTP("127.0.0.1", {{server.SubmissionPort}})
            s.ehlo(); assert not s.has_extn("auth"), "AUTH offered before TLS"
            s.starttls(context=ctx); s.ehlo(); assert "PLAIN" in s.esmtp_features["auth"]
            s.login("{{User}}", "{{Password}}")
            s.sendmail("{{User}}", ["far@away.example"], "From: {{User}}\r\nSubject: sub\r\n\r\nhello\r\n")
            s.quit()
            print("OK")
            """;
        var r = await ExternalTool.RunAsync("python3", new[] { "-c", script });
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Equal(2, server.Queued().Count);
        var local = server.Queued().Single(e => e.Recipients[0].Address == "me@test.local");
        Assert.EndsWith("Subject: py\r\n\r\n.leading dot line\r\nbody\r\n", System.Text.Encoding.ASCII.GetString(server.MessageBytes(local.QueueId)));
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-1")]
    [InlineData("CRAM-MD5")]
    public async Task MailKit_Submissions465_EveryMechanism(string mechanism)
    {
        await using var server = await PostboteTestServer.StartAsync(o => o.Auth.Mechanisms = new[] { "PLAIN", "LOGIN", "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5" });
        await server.AddUserAsync(User, Password, cramMd5: true);
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", server.SubmissionsPort, SecureSocketOptions.SslOnConnect);
        Assert.Contains(mechanism, client.AuthenticationMechanisms);
        var sasl = mechanism switch
        {
            "PLAIN" => (SaslMechanism)new SaslMechanismPlain(User, Password),
            "LOGIN" => new SaslMechanismLogin(User, Password),
            "SCRAM-SHA-256" => new SaslMechanismScramSha256(User, Password),
            "SCRAM-SHA-1" => new SaslMechanismScramSha1(User, Password),
            _ => new SaslMechanismCramMd5(User, Password),
        };
        await client.AuthenticateAsync(sasl);
        var msg = new MimeMessage();
        msg.From.Add(MailboxAddress.Parse(User));
        msg.To.Add(MailboxAddress.Parse("friend@far.example"));
        msg.Subject = "via " + mechanism;
        msg.Body = new TextPart("plain") { Text = "Hallo" };
        var response = await client.SendAsync(msg);
        Assert.Matches(@"2\.0\.0 Ok: queued as [0-9A-Z]{12}", response);
        await client.DisconnectAsync(true);
        var env = Assert.Single(server.Queued());
        Assert.Equal(User, env.AuthenticatedUser);
        Assert.Equal("TLSv1.3", env.TlsProtocol);
    }

    [Fact]
    public async Task MailKit_Submission587_StartTls_ScramSha256_AndSpoofedFromRefused()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync(User, Password);
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", server.SubmissionPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(new SaslMechanismScramSha256(User, Password));
        var msg = new MimeMessage();
        msg.From.Add(MailboxAddress.Parse("bill@microsoft.com"));
        msg.To.Add(MailboxAddress.Parse("friend@far.example"));
        msg.Body = new TextPart("plain") { Text = "spoof" };
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(msg, MailboxAddress.Parse(User), new[] { MailboxAddress.Parse("friend@far.example") }));
        Assert.Equal(553, (int)ex.StatusCode);
        Assert.Contains("From: header", ex.Message);
        Assert.Empty(server.Queued());
    }

    [RequiresToolFact("msmtp")]
    public async Task Msmtp_Submission587_StartTls_Auth()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync(User, Password);
        var conf = Path.Combine(server.DataDirectory, "msmtprc");
        await File.WriteAllTextAsync(conf, $"account default\nhost 127.0.0.1\nport {server.SubmissionPort}\ntls on\ntls_starttls on\ntls_certcheck off\nauth on\nuser {User}\npassword {Password}\nfrom {User}\n");
        File.SetUnixFileMode(conf, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var r = await ExternalTool.RunAsync("msmtp", new[] { "-C", conf, "friend@far.example" }, stdin: $"From: {User}\nTo: friend@far.example\nSubject: msmtp\n\nvia msmtp\n");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Single(server.Queued());
    }

    [RequiresToolFact("openssl")]
    public async Task OpensslSClient_StartTlsSmtp_GetsTls12OrBetter_AndAuthOfferedAfterTls()
    {
        await using var server = await PostboteTestServer.StartAsync();
        var r = await ExternalTool.RunAsync("openssl", new[] { "s_client", "-starttls", "smtp", "-crlf", "-connect", $"127.0.0.1:{server.SubmissionPort}", "-quiet" },
            stdin: "EHLO michael.client.de\nQUIT\n");
        Assert.Contains("250-AUTH PLAIN LOGIN", r.Output);
        Assert.Contains("221 2.0.0 Bye", r.Output);
        var tls11 = await ExternalTool.RunAsync("openssl", new[] { "s_client", "-starttls", "smtp", "-tls1_1", "-connect", $"127.0.0.1:{server.SubmissionPort}" }, stdin: "QUIT\n", timeout: TimeSpan.FromSeconds(20));
        Assert.DoesNotContain("250-AUTH", tls11.Output);
        Assert.True(tls11.ExitCode != 0 || !tls11.Output.Contains("Protocol  : TLSv1.1"), tls11.Output);
    }
}
