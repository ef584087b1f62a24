using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Cli;

/// <summary>`postbote send` against Postbote with STARTTLS and AUTH; `dns route`; the admin socket refusing other users.</summary>
public sealed class CliSendAndAdminTests
{
    private const string User = "me@test.local", Password = "s3cret-Passw0rd";

    private static Task<ExternalTool.Result> Postbote(string[] args, string? stdin = null) =>
        ExternalTool.RunAsync("dotnet", new[] { CliServer.Dll }.Concat(args), stdin, TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Send_StartTlsAndAuth_PrintsTheDialogueWithSecretsMasked()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync(User, Password);
        foreach (var mech in new[] { "", "PLAIN", "LOGIN" })
        {
            string[] auth = mech.Length == 0 ? ["--auth"] : ["--auth", mech];
            var r = await Postbote(["send", "--server", $"127.0.0.1:{server.SubmissionPort}", "--starttls", .. auth, "--user", User, "--password-stdin",
                "--from", User, "--to", "you@far.example", "--header", "Subject: one line", "--body", "Hi!", "--pipelining"], Password + "\n");
            Assert.True(r.ExitCode == 0, r.Output);
            Assert.Contains("C: STARTTLS", r.Stdout);
            Assert.Contains("=== TLS started", r.Stdout);
            Assert.Contains("S: 235 2.7.0", r.Stdout);
            Assert.Contains("********", r.Stdout);
            Assert.DoesNotContain(Password, r.Stdout);
            Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("\0" + User + "\0" + Password)), r.Stdout);
            Assert.Matches(@"S: 250 2\.0\.0 Ok: queued as", r.Stdout);
        }
        Assert.Equal(3, server.Queued().Count);
        Assert.All(server.Queued(), e => Assert.Equal("ESMTPSA", e.Protocol));
    }

    /// <summary>A private Postfix, final destination for peer.test, offering STARTTLS with a fresh self-signed certificate.</summary>
    private static global::Postbote.TestSupport.Peers.PostfixInstance PostfixWithStartTls()
    {
        var certDir = Path.Combine(Path.GetTempPath(), "postbote-pfcert-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(certDir);
        string cert = Path.Combine(certDir, "cert.pem"), key = Path.Combine(certDir, "key.pem");
        global::Postbote.Smtpd.Tls.CertificateProvider.GenerateSelfSigned("mx.peer.test", cert, key);
        var postfix = global::Postbote.TestSupport.Peers.PostfixInstance.FinalDestination("peer.test", "bob");
        postfix.MainCf["smtpd_tls_cert_file"] = cert;
        postfix.MainCf["smtpd_tls_key_file"] = key;
        postfix.MainCf["smtpd_tls_security_level"] = "may";
        return postfix;
    }

    [RequiresToolFact("postfix")]
    public async Task Send_ToAPostfixInstance_WithStartTls_IsDelivered()
    {
        if (global::Postbote.TestSupport.Peers.PostfixInstance.UnavailableReason is { } reason) Assert.Fail(reason);
        await using var postfix = PostfixWithStartTls();
        await postfix.StartAsync();
        var r = await Postbote(["send", "--server", $"127.0.0.1:{postfix.Port}", "--starttls", "--from", "alice@client.test", "--to", "bob@peer.test",
            "--header", "Subject: from postbote send", "--body", "Hallo Postfix"]);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("ESMTP Postfix", r.Stdout);
        Assert.Contains("=== TLS started", r.Stdout);
        Assert.Matches(@"S: 250 2\.0\.0 Ok: queued as", r.Stdout);
        var files = await postfix.WaitForMessagesAsync("bob@peer.test", 1, TimeSpan.FromSeconds(30));
        Assert.Contains("Hallo Postfix", File.ReadAllText(Assert.Single(files)));
    }

    [RequiresToolFact("postfix", "dovecot")]
    public async Task Send_ToAPostfixInstance_WithStartTlsAndAuth_DovecotSasl_IsRelayed()
    {
        if ((global::Postbote.TestSupport.Peers.PostfixInstance.UnavailableReason ?? global::Postbote.TestSupport.Peers.DovecotInstance.UnavailableReason) is { } reason) Assert.Fail(reason);
        await using var dovecot = new global::Postbote.TestSupport.Peers.DovecotInstance("alice", "alice-Secret1", "peer.test");
        await dovecot.StartAsync();
        await using var postfix = PostfixWithStartTls();
        postfix.MainCf["smtpd_sasl_auth_enable"] = "yes";
        postfix.MainCf["smtpd_sasl_type"] = "dovecot";
        postfix.MainCf["smtpd_sasl_path"] = dovecot.AuthSocketPath;
        postfix.MainCf["smtpd_tls_auth_only"] = "yes";
        postfix.MainCf["smtpd_relay_restrictions"] = "permit_sasl_authenticated, reject_unauth_destination";
        await postfix.StartAsync();
        var r = await Postbote(["send", "--server", $"127.0.0.1:{postfix.Port}", "--starttls", "--auth", "PLAIN", "--user", "alice", "--password-stdin",
            "--from", "alice@peer.test", "--to", "bob@peer.test", "--header", "Subject: authenticated", "--body", "Hallo mit AUTH"], "alice-Secret1\n");
        Assert.True(r.ExitCode == 0, r.Output + postfix.ReadMaillog());
        Assert.Contains("S: 235 2.7.0", r.Stdout);
        Assert.DoesNotContain("alice-Secret1", r.Stdout);
        var files = await postfix.WaitForMessagesAsync("bob@peer.test", 1, TimeSpan.FromSeconds(30));
        Assert.Contains("Hallo mit AUTH", File.ReadAllText(Assert.Single(files)));
        var bad = await Postbote(["send", "--server", $"127.0.0.1:{postfix.Port}", "--starttls", "--auth", "PLAIN", "--user", "alice", "--password-stdin",
            "--from", "alice@peer.test", "--to", "bob@peer.test", "--body", "x"], "wrong\n");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("535", bad.Stdout + bad.Stderr);
    }

    [Fact]
    public async Task Send_Failure_ExitsNonZeroWithTheServersReply()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync(User, Password);
        var wrong = await Postbote(["send", "--server", $"127.0.0.1:{server.SubmissionPort}", "--starttls", "--auth", "PLAIN", "--user", User,
            "--password-stdin", "--from", User, "--to", "you@far.example"], "wrong\n");
        Assert.Equal(69, wrong.ExitCode);
        Assert.Contains("535", wrong.Stderr);
        var relay = await Postbote(["send", "--server", $"127.0.0.1:{server.MxPort}", "--from", "a@remote.example", "--to", "victim@far.example"]);
        Assert.NotEqual(0, relay.ExitCode);
        Assert.Contains("the server said: 5", relay.Stderr);
        var usage = await Postbote(["send", "--server", "127.0.0.1:1"]);
        Assert.Equal(64, usage.ExitCode);
    }

    [Fact]
    public async Task DnsRoute_DnsFailure_IsExplainedAsTemporary()
    {
        await using var p = CliServer.Create();
        var r = await p.RunAsync(["dns", "route", "example.net"]);
        Assert.Equal(75, r.ExitCode);
        Assert.Contains("temporary (4.4.3)", r.Stdout);
        Assert.Equal(64, (await p.RunAsync(["dns", "route", "not a domain"])).ExitCode);
    }

    [RequiresToolFact("setpriv", "curl")]
    public async Task AdminSocket_RefusesOtherUsers_ByFileModeAndByPeerUid()
    {
        if (Environment.UserName != "root") return; // switching to another uid needs root
        await using var p = CliServer.Create();
        await p.StartAsync();
        string[] asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-sS", "--max-time", "10", "--unix-socket", p.AdminSocket, "http://postbote/v1/queue"];
        // The directory must be passable for the test to reach the socket's own permission check.
        foreach (var dir in new[] { p.Directory, p.DataDirectory }) File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);

        var byMode = await ExternalTool.RunAsync("setpriv", asNobody);
        Assert.NotEqual(0, byMode.ExitCode);
        Assert.Contains("connect", byMode.Stderr, StringComparison.OrdinalIgnoreCase);

        File.SetUnixFileMode(p.AdminSocket, (UnixFileMode)0b110_110_110); // an admin loosened the mode by mistake
        var byUid = await ExternalTool.RunAsync("setpriv", asNobody);
        Assert.NotEqual(0, byUid.ExitCode);
        Assert.DoesNotContain("[", byUid.Stdout);

        var asRoot = await ExternalTool.RunAsync("curl", ["-sS", "--max-time", "10", "--unix-socket", p.AdminSocket, "http://postbote/v1/queue"]);
        Assert.True(asRoot.ExitCode == 0, asRoot.Output);
        Assert.Equal("[]", asRoot.Stdout.Trim());
        // The submission socket is for everybody; the queue API is not on it.
        var submitQueue = await ExternalTool.RunAsync("setpriv", [.. asNobody[..^2], Path.Combine(p.DataDirectory, "submit.sock"), "-o", "/dev/null", "-w", "%{http_code}", "http://postbote/v1/queue"]);
        Assert.Equal("403", submitQueue.Stdout.Trim());
    }
}
