using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.Smtpd.Tls;

namespace Postbote.IntegrationTests;

/// <summary>Issue 3's security rules on the real listeners: relay, AUTH over TLS only, throttling, certificate reload.</summary>
public sealed class SecurityTests
{
    private static string Plain(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    [Fact]
    public async Task Submission587_WithoutAuth_MailIsRefused530_AndAuthIsNotOfferedBeforeTls_538()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync("me@test.local", "pw-123456");
        await using var c = await RawSmtpClient.ConnectAsync(server.SubmissionPort);
        await c.ReadAsync();
        await c.SendLineAsync("EHLO client.example");
        var ehlo = await c.ReadReplyAsync();
        Assert.Contains("250-STARTTLS", ehlo);
        Assert.DoesNotContain(ehlo, l => l.Contains("AUTH"));
        Assert.Equal("530 5.7.0 Authentication required", await c.CommandAsync("MAIL FROM:<me@test.local>"));
        Assert.Equal("538 5.7.11 Encryption required for requested authentication mechanism", await c.CommandAsync("AUTH PLAIN " + Plain("me@test.local", "pw-123456")));
    }

    [Fact]
    public async Task Port25_AuthIsNotOffered_AndUnauthenticatedRelayIsRefused_ButTrustedNetworksMayRelay()
    {
        await using (var server = await PostboteTestServer.StartAsync())
        {
            await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
            await c.ReadAsync();
            await c.CommandAsync("EHLO client.example");
            Assert.StartsWith("503 5.5.1", await c.CommandAsync("AUTH PLAIN " + Plain("a", "b")));
            await c.CommandAsync("MAIL FROM:<x@remote.example>");
            Assert.StartsWith("554 5.7.1", await c.CommandAsync("RCPT TO:<y@far.example>"));
        }
        await using (var trusted = await PostboteTestServer.StartAsync(o => o.TrustedNetworks = new[] { "127.0.0.0/8" }))
        {
            await using var c = await RawSmtpClient.ConnectAsync(trusted.MxPort);
            await c.ReadAsync();
            await c.CommandAsync("EHLO app.internal");
            await c.CommandAsync("MAIL FROM:<app@test.local>");
            Assert.Equal("250 2.1.5 Ok", await c.CommandAsync("RCPT TO:<y@far.example>"));
        }
    }

    [Fact]
    public async Task BruteForce_RepeatedAuthFailures_LeadTo421_AndABlock_AndTheRightPasswordStillFailsWhileBlocked()
    {
        await using var server = await PostboteTestServer.StartAsync(o =>
        {
            o.Limits.AuthFailuresBeforeBlock = 3;
            o.Limits.AuthFailureDelay = TimeSpan.FromMilliseconds(20);
        });
        await server.AddUserAsync("me@test.local", "right-password");
        await using var tls = await TlsSmtpClient.ConnectImplicitAsync(server.SubmissionsPort);
        await tls.ReadAsync();
        await tls.CommandLinesAsync("EHLO client.example");
        for (int i = 0; i < 3; i++)
            Assert.Equal("535 5.7.8 Error: authentication failed", await tls.CommandAsync("AUTH PLAIN " + Plain("me@test.local", "guess" + i)));
        Assert.StartsWith("421 4.7.0", await tls.CommandAsync("AUTH PLAIN " + Plain("me@test.local", "right-password")));
        Assert.Contains(server.Log.Lines, l => l.Contains("blocked after too many failed attempts"));
        Assert.DoesNotContain(server.Log.Lines, l => l.Contains("right-password") || l.Contains("guess0"));
    }

    [Fact]
    public async Task AuthReplies_Cancel_BadBase64_UnknownMechanism_Twice()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync("me@test.local", "pw-123456");
        await using var tls = await TlsSmtpClient.ConnectImplicitAsync(server.SubmissionsPort);
        await tls.ReadAsync();
        await tls.CommandLinesAsync("EHLO client.example");
        Assert.Equal("504 5.5.4 Unrecognized authentication type", await tls.CommandAsync("AUTH DIGEST-MD5"));
        Assert.Equal("501 5.5.2 Error: invalid base64 data", await tls.CommandAsync("AUTH PLAIN !!!notbase64"));
        Assert.Equal("334 VXNlcm5hbWU6", await tls.CommandAsync("AUTH LOGIN"));
        Assert.Equal("501 5.7.0 Authentication aborted", await tls.CommandAsync("*"));
        Assert.Equal("235 2.7.0 Authentication successful", await tls.CommandAsync("AUTH PLAIN " + Plain("me@test.local", "pw-123456")));
        Assert.Equal("503 5.5.1 Error: already authenticated", await tls.CommandAsync("AUTH PLAIN " + Plain("me@test.local", "pw-123456")));
    }

    [Fact]
    public async Task Rfc6409_8_SubmissionWithoutMessageIdOrDate_GetsThemAdded_AndReceivedSaysEsmtpsa()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync("me@test.local", "pw-123456");
        await using var tls = await TlsSmtpClient.ConnectImplicitAsync(server.SubmissionsPort);
        await tls.ReadAsync();
        await tls.CommandLinesAsync("EHLO client.example");
        await tls.CommandAsync("AUTH PLAIN " + Plain("me@test.local", "pw-123456"));
        await tls.CommandAsync("MAIL FROM:<me@test.local>");
        await tls.CommandAsync("RCPT TO:<you@far.example>");
        await tls.CommandAsync("DATA");
        Assert.StartsWith("250 2.0.0 Ok: queued as", await tls.CommandAsync("From: me@test.local\r\nSubject: bare\r\n\r\nno id, no date\r\n."));
        var env = Assert.Single(server.Queued());
        Assert.Contains(env.PrependHeaders, h => h.StartsWith("Message-ID: <") && h.EndsWith("@mx.test.local>\r\n"));
        Assert.Contains(env.PrependHeaders, h => h.StartsWith("Date: "));
        var stored = Encoding.ASCII.GetString(server.MessageBytes(env.QueueId));
        Assert.Contains("with ESMTPSA id " + env.QueueId, stored);
        Assert.Contains("(using TLSv1.3 with cipher ", stored);
        Assert.DoesNotContain("me@test.local)", stored.Split("\r\n\r\n")[0].Split("From:")[0]); // the user is not named in Received by default
    }

    [Fact]
    public async Task DebugTranscript_ShowsTheDialogue_ButNeverTheAuthData()
    {
        await using var server = await PostboteTestServer.StartAsync(o => o.LogLevel = "Debug");
        await server.AddUserAsync("me@test.local", "pw-very-secret");
        await using var tls = await TlsSmtpClient.ConnectImplicitAsync(server.SubmissionsPort);
        await tls.ReadAsync();
        await tls.CommandLinesAsync("EHLO client.example");
        var plain = Plain("me@test.local", "pw-very-secret");
        Assert.StartsWith("235", await tls.CommandAsync("AUTH PLAIN " + plain));
        Assert.StartsWith("221", (await tls.CommandLinesAsync("QUIT"))[0]);
        await using (var login = await TlsSmtpClient.ConnectImplicitAsync(server.SubmissionsPort))
        {
            await login.ReadAsync();
            await login.CommandLinesAsync("EHLO client.example");
            Assert.Equal("334 VXNlcm5hbWU6", await login.CommandAsync("AUTH LOGIN"));
            Assert.Equal("334 UGFzc3dvcmQ6", await login.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("me@test.local"))));
            Assert.StartsWith("235", await login.CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("pw-very-secret"))));
        }
        var transcript = server.Log.Lines.Where(l => l.Contains("] C: ") || l.Contains("] S: ")).ToList();
        Assert.Contains(transcript, l => l.EndsWith("C: EHLO client.example"));
        Assert.Contains(transcript, l => l.EndsWith("C: AUTH PLAIN ****"));
        Assert.Contains(transcript, l => l.EndsWith("C: ****"));
        Assert.DoesNotContain(server.Log.Lines, l => l.Contains(plain) || l.Contains("pw-very-secret")
            || l.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes("pw-very-secret"))));
    }

    [Fact]
    public async Task CertificateFilesReplacedWhileRunning_TheNewCertificateIsServed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "postbote-cert-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        string cert = Path.Combine(dir, "fullchain.pem"), key = Path.Combine(dir, "privkey.pem");
        CertificateProvider.GenerateSelfSigned("first.test.local", cert, key);
        await using var server = await PostboteTestServer.StartAsync(o => o.Tls = new Postbote.Configuration.TlsOptions { CertificateFile = cert, KeyFile = key });
        Assert.Contains("first.test.local", await ServedSubjectAsync(server.SubmissionsPort));

        // certbot writes new files and swaps them in; do the same with renames
        CertificateProvider.GenerateSelfSigned("second.test.local", cert + ".new", key + ".new");
        File.Move(key + ".new", key, overwrite: true);
        File.Move(cert + ".new", cert, overwrite: true);
        File.SetLastWriteTimeUtc(cert, DateTime.UtcNow.AddSeconds(5));
        string subject = "";
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && !(subject = await ServedSubjectAsync(server.SubmissionsPort)).Contains("second.test.local"))
            await Task.Delay(250); // the provider re-checks the files' time stamps every 2 s
        Assert.Contains("second.test.local", subject);
        Assert.Contains(server.Log.Lines, l => l.Contains("reloaded certificate"));
    }

    [Fact]
    public async Task Tls11_IsRefused_Tls12And13_Accepted()
    {
        await using var server = await PostboteTestServer.StartAsync();
        foreach (var (protocol, ok) in new[] { (System.Security.Authentication.SslProtocols.Tls12, true), (System.Security.Authentication.SslProtocols.Tls13, true) })
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", server.SubmissionsPort);
            using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "x", EnabledSslProtocols = protocol });
            Assert.Equal(protocol, ssl.SslProtocol);
            Assert.True(ok);
        }
    }

    private static async Task<string> ServedSubjectAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("x").WaitAsync(TimeSpan.FromSeconds(10));
        return ssl.RemoteCertificate is null ? "" : new X509Certificate2(ssl.RemoteCertificate).Subject;
    }
}
