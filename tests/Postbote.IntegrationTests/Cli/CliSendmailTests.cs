using System.Text;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Cli;

/// <summary>`postbote sendmail` as programs use it: PHP's mail(), a shell pipe with -t, and -bs.</summary>
public sealed class CliSendmailTests
{
    private static string MessageText(CliServer p, string id) =>
        File.ReadAllText(Path.Combine(p.DataDirectory, "queue", "messages", id));

    private static string[] Recipients(System.Text.Json.JsonElement e) =>
        e.GetProperty("recipients").EnumerateArray().Select(r => r.GetProperty("address").GetString()!).Order().ToArray();

    [RequiresToolFact("php")]
    public async Task PhpMail_ThroughSendmailPath_IsQueuedWithSenderAndRecipients()
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        string sendmail = $"dotnet {CliServer.Dll} sendmail -t -i --config {p.ConfigFile}";
        var r = await ExternalTool.RunAsync("php", ["-d", $"sendmail_path={sendmail}", "-r",
            "exit(mail('bob@example.net', 'PHP test', \"Line one\\n.\\nLine three\", \"From: web@test.local\\r\\nCc: carol@example.org\", '-fweb@test.local') ? 0 : 1);"]);
        Assert.True(r.ExitCode == 0, r.Output);
        var e = Assert.Single(await p.QueueAsync());
        Assert.Equal(["bob@example.net", "carol@example.org"], Recipients(e));
        Assert.Equal("web@test.local", e.GetProperty("sender").GetString());
        var text = MessageText(p, e.GetProperty("id").GetString()!);
        Assert.Contains("Subject: PHP test\r\n", text);
        Assert.Contains("\r\nLine one\r\n.\r\nLine three", text); // bare LF became CRLF; "-i": the lone dot is content
        Assert.DoesNotContain("\n", text.Replace("\r\n", ""));
        Assert.StartsWith("Received: by mx.test.local (Postbote, from userid", text);
    }

    [Fact]
    public async Task ShellPipe_SendmailT_TakesRecipientsFromHeaders_AndRemovesBcc()
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        var script = $"printf 'To: Bob <bob@example.net>\\nBcc: hidden@example.org\\nSubject: cron\\n\\nreport\\n' | dotnet {CliServer.Dll} sendmail -t -f cron@test.local -F 'Cron Daemon' --config {p.ConfigFile}";
        var r = await ExternalTool.RunAsync("sh", ["-c", script]);
        Assert.True(r.ExitCode == 0, r.Output);
        var e = Assert.Single(await p.QueueAsync());
        Assert.Equal("cron@test.local", e.GetProperty("sender").GetString());
        Assert.Equal(["bob@example.net", "hidden@example.org"], Recipients(e));
        Assert.Equal("LOCAL", e.GetProperty("protocol").GetString());
        var text = MessageText(p, e.GetProperty("id").GetString()!);
        Assert.DoesNotContain("Bcc", text);
        Assert.DoesNotContain("hidden@", text);
        Assert.Matches("From: \"?Cron Daemon\"? <cron@test.local>\r\n", text);
    }

    [Fact]
    public async Task Sendmail_BadInput_SysexitsCodes()
    {
        await using var p = CliServer.Create();
        Assert.Equal(64, (await p.RunAsync(["sendmail"], "Subject: x\n\nno recipients\n")).ExitCode);
        Assert.Equal(65, (await p.RunAsync(["sendmail", "not an address"], "Subject: x\n\nbody\n")).ExitCode);
        Assert.Equal(64, (await p.RunAsync(["sendmail", "-bz", "a@b.example"], "")).ExitCode);
        // options sendmail users pass out of habit are harmless
        var ok = await p.RunAsync(["sendmail", "-odi", "-oem", "-oi", "-B8BITMIME", "-v", "a@b.example"], "Subject: x\n\nbody\n");
        Assert.True(ok.ExitCode == 0, ok.Output);
        Assert.Contains("queued as", ok.Stderr);
    }

    [Fact]
    public async Task SendmailBs_ScriptedSmtpDialogue_QueuesThroughTheServer()
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        var dialogue = new StringBuilder()
            .Append("EHLO localhost\r\n").Append("MAIL FROM:<batch@test.local>\r\n").Append("RCPT TO:<one@example.net>\r\n")
            .Append("RCPT TO:<two@test.local>\r\n").Append("DATA\r\n").Append("Subject: bs\r\n\r\n..dot-stuffed\r\n.\r\n").Append("QUIT\r\n").ToString();
        var r = await p.RunAsync(["sendmail", "-bs"], dialogue);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.StartsWith("220 mx.test.local", r.Stdout);
        Assert.Contains("250 2.0.0 Ok: queued as", r.Stdout);
        Assert.Contains("221 2.0.0", r.Stdout);
        var e = Assert.Single(await p.QueueAsync());
        Assert.Equal("batch@test.local", e.GetProperty("sender").GetString());
        Assert.Equal(["one@example.net", "two@test.local"], Recipients(e));
        var text = MessageText(p, e.GetProperty("id").GetString()!);
        Assert.StartsWith("Received: by mx.test.local (Postbote, from userid", text);
        Assert.Single(text.Split("Received:")[1..]);
        Assert.Contains("\r\n.dot-stuffed\r\n", text);
    }
}
