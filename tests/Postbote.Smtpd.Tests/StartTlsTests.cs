using System.Net.Security;
using System.Text;
using Postbote.TestSupport.Dialogues;

namespace Postbote.Smtpd.Tests;

/// <summary>STARTTLS (RFC 3207) over in-memory pipes, with an SslStream on the client end and a self-signed certificate.</summary>
public sealed class StartTlsTests
{
    private static async Task<List<string>> EhloAsync(LineClient client)
    {
        await client.SendLineAsync("EHLO client.example");
        return await client.ReadReplyAsync();
    }

    private static async Task<SslStream> HandshakeAsync(IDuplexPipeHolder pipe)
    {
        var ssl = new SslStream(new PipeDuplexStream(pipe.Pipe), leaveInnerStreamOpen: false);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = SessionHost.Hostname,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, cts.Token);
        return ssl;
    }

    private sealed record IDuplexPipeHolder(System.IO.Pipelines.IDuplexPipe Pipe);

    [Fact]
    public async Task StartTls_ResetsState_And_PlaintextPipelinedAfterIt_IsNeverAnswered_Rfc3207_Section4_2()
    {
        using var host = SessionHost.Create(tls: true);
        var (clientEnd, serverEnd) = DuplexPipe.CreatePair();
        var server = Task.Run(async () =>
        {
            try { await host.ServeAsync(serverEnd); }
            finally { await serverEnd.Output.CompleteAsync(); await serverEnd.Input.CompleteAsync(); }
        });
        var plain = new LineClient(clientEnd);
        Assert.Equal("220 mx.example.org ESMTP Postbote", await plain.ReadLineAsync());
        Assert.Contains("250-STARTTLS", await EhloAsync(plain));

        // The injection test (CVE-2011-0411): RSET rides in the same write as STARTTLS.
        await plain.SendAsync("STARTTLS\r\nRSET\r\n"u8.ToArray());
        Assert.Equal("220 2.0.0 Ready to start TLS", await plain.ReadLineAsync());
        // Had the server answered RSET in plaintext, those bytes would precede its TLS records and the handshake would fail.
        await using var ssl = await HandshakeAsync(new IDuplexPipeHolder(clientEnd));
        var tls = new LineClient(new DuplexPipe(
            System.IO.Pipelines.PipeReader.Create(ssl, new(leaveOpen: true)),
            System.IO.Pipelines.PipeWriter.Create(ssl, new(leaveOpen: true))));

        // RFC 3207 §4.2: the server forgets the EHLO; MAIL before a new EHLO is out of sequence. RSET's reply never comes.
        await tls.SendLineAsync("MAIL FROM:<a@client.example>");
        Assert.Equal("503 5.5.1 Error: send HELO/EHLO first", await tls.ReadLineAsync());
        var ehlo = await EhloAsync(tls);
        Assert.Equal("250-mx.example.org", ehlo[0]);
        Assert.DoesNotContain(ehlo, l => l.Contains("STARTTLS"));
        // RFC 3207 §4.2: STARTTLS again is 503.
        await tls.SendLineAsync("STARTTLS");
        Assert.Equal("503 5.5.1 Error: TLS already active", await tls.ReadLineAsync());

        await tls.SendLineAsync("MAIL FROM:<a@client.example>");
        Assert.Equal("250 2.1.0 Ok", await tls.ReadLineAsync());
        await tls.SendLineAsync("RCPT TO:<b@example.org>");
        Assert.Equal("250 2.1.5 Ok", await tls.ReadLineAsync());
        await tls.SendLineAsync("DATA");
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await tls.ReadLineAsync());
        await tls.SendAsync("Subject: tls\r\n\r\nsecret\r\n.\r\n"u8.ToArray());
        Assert.Matches("^250 2\\.0\\.0 Ok: queued as \\w{12}$", await tls.ReadLineAsync());
        await tls.SendLineAsync("QUIT");
        Assert.Equal("221 2.0.0 Bye", await tls.ReadLineAsync());
        await server.WaitAsync(TimeSpan.FromSeconds(20));

        var id = Assert.Single(host.ActiveQueueIds());
        var (received, body) = SessionHost.SplitReceived(host.MessageBytes(id));
        Assert.Contains("with ESMTPS", received); // RFC 3848 §2
        Assert.Contains("(using TLSv1.", received);
        Assert.Equal("Subject: tls\r\n\r\nsecret\r\n", Encoding.ASCII.GetString(body));
    }

    [Fact]
    public async Task StartTls_WithArgument_Is501_And_WithoutCertificate_Is454_Rfc3207_Section4()
    {
        using var host = SessionHost.Create();
        var script = DialogueScript.Parse("starttls-unavailable", """
            S: 220 mx.example.org ESMTP Postbote
            C: STARTTLS now
            S: 501 5.5.4 Syntax: STARTTLS
            C: STARTTLS
            S: 454 4.7.0 TLS not available due to temporary reason
            C: QUIT
            S: 221 2.0.0 Bye
            S! closed
            """);
        foreach (var mode in Enum.GetValues<FeedMode>())
            await DialogueRunner.RunAsync(script, mode, p => host.ServeAsync(p));
    }

    [Fact]
    public async Task Auth_BeforeTls_Is538_Then_Offered_AfterTls_Rfc4954_Section4()
    {
        using var host = SessionHost.Create(new Dictionary<string, string> { ["role"] = "Submission" }, new FakeAuthenticator(), tls: true);
        var (clientEnd, serverEnd) = DuplexPipe.CreatePair();
        var server = Task.Run(async () =>
        {
            try { await host.ServeAsync(serverEnd); }
            finally { await serverEnd.Output.CompleteAsync(); await serverEnd.Input.CompleteAsync(); }
        });
        var plain = new LineClient(clientEnd);
        await plain.ReadLineAsync();
        Assert.DoesNotContain(await EhloAsync(plain), l => l.Contains("AUTH"));
        await plain.SendLineAsync("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
        Assert.Equal("538 5.7.11 Encryption required for requested authentication mechanism", await plain.ReadLineAsync());
        await plain.SendLineAsync("STARTTLS");
        Assert.Equal("220 2.0.0 Ready to start TLS", await plain.ReadLineAsync());
        await using var ssl = await HandshakeAsync(new IDuplexPipeHolder(clientEnd));
        var tls = new LineClient(new DuplexPipe(
            System.IO.Pipelines.PipeReader.Create(ssl, new(leaveOpen: true)),
            System.IO.Pipelines.PipeWriter.Create(ssl, new(leaveOpen: true))));
        Assert.Contains("250-AUTH PLAIN LOGIN", await EhloAsync(tls));
        await tls.SendLineAsync("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
        Assert.Equal("235 2.7.0 Authentication successful", await tls.ReadLineAsync());
        await tls.SendLineAsync("MAIL FROM:<alice@example.org>");
        Assert.Equal("250 2.1.0 Ok", await tls.ReadLineAsync());
        await tls.SendLineAsync("QUIT");
        Assert.Equal("221 2.0.0 Bye", await tls.ReadLineAsync());
        await server.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
