using System.Text;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Cli;

/// <summary>
/// Issue 15: postbote-sendmail, the sendmail(8) and mailq that start in milliseconds. Each test runs twice: the JIT
/// build of the very same code (`dotnet postbote-sendmail.dll`, fast to build) and the Native AOT binary (published
/// once per source state, <see cref="NativeSendmail"/>), so what is installed as /usr/sbin/sendmail is what is tested.
/// </summary>
public sealed class FastSendmailTests
{
    private static string JitDll => Path.Combine(AppContext.BaseDirectory, "postbote-sendmail.dll");

    /// <summary>Runs the sendmail program (as PROGRAM, or as the mailq link) with ARGS --config FILE.</summary>
    private static async Task<ExternalTool.Result> RunAsync(bool native, CliServer p, string[] args, string? stdin = null, bool asMailq = false)
    {
        var all = args.Concat(["--config", p.ConfigFile]);
        // The full postbote (for -bs and the spool): the AOT binary is told where this build's is; the JIT one finds it beside itself.
        var env = new Dictionary<string, string> { ["SENDMAIL_POSTBOTE_PROGRAM"] = native ? CliServer.Dll : "" };
        if (!native) return await ExternalTool.RunAsync("dotnet", new[] { JitDll }.Concat(all), stdin, TimeSpan.FromSeconds(60), env);
        string dir = await NativeSendmail.DirectoryAsync();
        return await ExternalTool.RunAsync(Path.Combine(dir, asMailq ? "mailq" : "postbote-sendmail"), all, stdin, TimeSpan.FromSeconds(60), env);
    }

    private static string MessageText(CliServer p, string id) => File.ReadAllText(Path.Combine(p.DataDirectory, "queue", "messages", id));

    private static string[] Recipients(System.Text.Json.JsonElement e) =>
        e.GetProperty("recipients").EnumerateArray().Select(r => r.GetProperty("address").GetString()!).Order().ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ShellPipe_SendmailT_IsQueuedByTheRunningServer_BccRemoved_FullNameInFrom(bool native)
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        var r = await RunAsync(native, p, ["-t", "-v", "-f", "cron@test.local", "-F", "Cron Daemon"],
            "To: Bob <bob@example.net>\nBcc: hidden@example.org\nSubject: cron\n\nreport\n.\nafter the dot\n");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("queued as", r.Stderr);
        var e = Assert.Single(await p.QueueAsync());
        Assert.Equal("cron@test.local", e.GetProperty("sender").GetString());
        Assert.Equal(["bob@example.net", "hidden@example.org"], Recipients(e));
        Assert.Equal("LOCAL", e.GetProperty("protocol").GetString());
        var text = MessageText(p, e.GetProperty("id").GetString()!);
        Assert.StartsWith("Received: by mx.test.local (Postbote, from userid", text);
        Assert.DoesNotContain("hidden@", text);
        Assert.Matches("From: \"?Cron Daemon\"? <cron@test.local>\r\n", text);
        Assert.Contains("\r\n\r\nreport\r\n", text);
        Assert.DoesNotContain("after the dot", text); // without -i a lone dot ends the message, as sendmail does
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BadInput_GetsTheSysexitsCodes_OfPostboteSendmail(bool native)
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        Assert.Equal(64, (await RunAsync(native, p, [], "Subject: x\n\nno recipients\n")).ExitCode);
        Assert.Equal(65, (await RunAsync(native, p, ["not an address"], "Subject: x\n\nbody\n")).ExitCode);
        Assert.Equal(64, (await RunAsync(native, p, ["-bz", "a@b.example"], "")).ExitCode);
        Assert.Equal(65, (await RunAsync(native, p, ["-f", "a@b.example>\r\nRSET", "u@remote.example"], "Subject: x\n\nbody\n")).ExitCode);
        var unknown = await RunAsync(native, p, ["nobody-here@test.local"], "Subject: x\n\nbody\n");
        Assert.Equal(0, unknown.ExitCode); // no user exists yet: every local part is accepted (README)
        Assert.Equal(0, (await p.RunAsync(["user", "add", "bob@test.local", "--password-stdin"], "pw-123456\n")).ExitCode);
        unknown = await RunAsync(native, p, ["nobody-here@test.local"], "Subject: x\n\nbody\n");
        Assert.Equal(67, unknown.ExitCode);
        Assert.Contains("5.1.1", unknown.Stderr);
        var big = await RunAsync(native, p, ["--Limits:MessageSizeBytes=100", "u@remote.example"], "Subject: x\n\n" + new string('a', 200) + "\n");
        Assert.Equal(65, big.ExitCode);
        Assert.Contains("Limits:MessageSizeBytes", big.Stderr);
        var badConfig = await RunAsync(native, p, ["--Limits:MessageSizeBytes=lots", "u@remote.example"], "Subject: x\n\nbody\n");
        Assert.Equal(78, badConfig.ExitCode);
        Assert.Contains("Limits:MessageSizeBytes", badConfig.Stderr);
        var habits = await RunAsync(native, p, ["-odi", "-oem", "-oi", "-B8BITMIME", "u@remote.example"], "Subject: x\n\nbody\n");
        Assert.True(habits.ExitCode == 0, habits.Output);
        Assert.Equal(2, (await p.QueueAsync()).Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ServerStopped_TheMessageGoesIntoTheSpool_ThroughTheFullPostbote_AndUnknownUsersStillGet67(bool native)
    {
        await using var p = CliServer.Create();
        Assert.Equal(0, (await p.RunAsync(["user", "add", "bob@test.local", "--password-stdin"], "pw-123456\n")).ExitCode);
        var r = await RunAsync(native, p, ["-t", "-i", "-v"], "To: bob@test.local\nSubject: offline\n\nline\n.\nkept\n");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("for the next start", r.Stderr);
        var unknown = await RunAsync(native, p, ["nobody-here@test.local"], "Subject: x\n\nbody\n");
        Assert.Equal(67, unknown.ExitCode);
        var e = Assert.Single(await p.QueueAsync());
        Assert.Equal(["bob@test.local"], Recipients(e));
        var text = MessageText(p, e.GetProperty("id").GetString()!);
        Assert.Single(text.Split("Received:")[1..]);
        Assert.Contains("\r\nline\r\n.\r\nkept\r\n", text); // -i: the lone dot is content, and stays so on the way through
        Assert.Single(text.Split("\r\nMessage-ID:")[1..]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendmailBs_IsTheFullPostbotesSmtpDialogue(bool native)
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        var dialogue = new StringBuilder().Append("EHLO localhost\r\n").Append("MAIL FROM:<batch@test.local>\r\n").Append("RCPT TO:<one@example.net>\r\n")
            .Append("DATA\r\n").Append("Subject: bs\r\n\r\n..dot-stuffed\r\n.\r\n").Append("QUIT\r\n").ToString();
        var r = await RunAsync(native, p, ["-bs"], dialogue);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.StartsWith("220 mx.test.local", r.Stdout);
        Assert.Contains("250 2.0.0 Ok: queued as", r.Stdout);
        var e = Assert.Single(await p.QueueAsync());
        Assert.Contains("\r\n.dot-stuffed\r\n", MessageText(p, e.GetProperty("id").GetString()!));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Mailq_ShowsThePostfixLayout_FromTheServer_AndFromTheSpoolWhenStopped(bool native)
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        Assert.Equal("Mail queue is empty\n", (await RunAsync(native, p, ["-bp"])).Stdout);
        Assert.Equal(0, (await RunAsync(native, p, ["-f", "", "carol@example.net"], "Subject: one\n\nbody\n")).ExitCode);
        Assert.Equal(0, (await RunAsync(native, p, ["-f", "app@test.local", "dave@example.org", "erin@example.org"], "Subject: two\n\nbody\n")).ExitCode);
        var queue = await p.QueueAsync();
        string held = queue.Single(e => e.GetProperty("sender").GetString() == "app@test.local").GetProperty("id").GetString()!;
        string other = queue.Single(e => e.GetProperty("id").GetString() != held).GetProperty("id").GetString()!;
        Assert.Equal(0, (await p.RunAsync(["queue", "hold", held])).ExitCode);

        foreach (bool running in new[] { true, false })
        {
            if (!running) await p.KillAsync();
            var r = await RunAsync(native, p, [], asMailq: native); // the AOT binary as the mailq link, the JIT one with -bp below
            if (!native) r = await RunAsync(native, p, ["-bp"]);
            Assert.True(r.ExitCode == 0, r.Output);
            var lines = r.Stdout.Split('\n');
            Assert.StartsWith("-Queue ID-   --Size-- ----Arrival Time---- -Sender/Recipient-------", lines[0]);
            Assert.Matches($@"^{held}! +\d+ \w{{3}} \w{{3}} [ \d]\d \d\d:\d\d:\d\d +app@test\.local$", lines.Single(l => l.StartsWith(held)));
            Assert.Matches($@"^{other}\* +\d+ .* MAILER-DAEMON$", lines.Single(l => l.StartsWith(other)));
            Assert.Contains(new string(' ', 43) + "dave@example.org", lines);
            Assert.Contains(new string(' ', 43) + "erin@example.org", lines);
            Assert.Contains(new string(' ', 43) + "carol@example.net", lines);
            Assert.Equal("-- 2 Kbytes in 2 Requests.", lines.Single(l => l.StartsWith("-- ")));
            Assert.Equal(!running, r.Stderr.Contains("not running"));
        }
    }

    [Fact]
    public async Task Native_MessageToALocalUser_IsDelivered_ToTheMaildir()
    {
        await using var p = CliServer.Create(deliver: true);
        await p.StartAsync();
        var r = await RunAsync(true, p, ["-t", "-i"], "To: bob@test.local\nSubject: native\n\ndelivered\n");
        Assert.True(r.ExitCode == 0, r.Output);
        var maildir = Path.Combine(p.DataDirectory, "mail", "test.local", "bob", "Maildir", "new");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string[] files = [];
        while (files.Length == 0)
        {
            if (System.IO.Directory.Exists(maildir)) files = System.IO.Directory.GetFiles(maildir);
            if (files.Length == 0) await Task.Delay(50, deadline.Token);
        }
        var text = File.ReadAllText(Assert.Single(files));
        Assert.Contains("Subject: native\r\n", text);
        Assert.Contains("\r\n\r\ndelivered\r\n", text);
    }

    [RequiresToolFact("php")]
    public async Task Native_PhpMail_ThroughSendmailPath_IsQueued()
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        string sendmail = $"{Path.Combine(await NativeSendmail.DirectoryAsync(), "postbote-sendmail")} -t -i --config {p.ConfigFile}";
        var r = await ExternalTool.RunAsync("php", ["-d", $"sendmail_path={sendmail}", "-r",
            "exit(mail('bob@example.net', 'PHP test', \"Line one\\n.\\nLine three\", \"From: web@test.local\", '-fweb@test.local') ? 0 : 1);"]);
        Assert.True(r.ExitCode == 0, r.Output);
        var e = Assert.Single(await p.QueueAsync());
        Assert.Equal("web@test.local", e.GetProperty("sender").GetString());
        Assert.Contains("\r\nLine one\r\n.\r\nLine three", MessageText(p, e.GetProperty("id").GetString()!));
    }
}
