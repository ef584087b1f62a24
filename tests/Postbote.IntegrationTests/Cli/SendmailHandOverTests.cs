using System.Diagnostics;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Cli;

/// <summary>
/// Issue 11: `sendmail -bs` acknowledges only what is in the real queue, and sendmail refuses unknown local users
/// (EX_NOUSER) and envelope addresses outside the RFC 5321 grammar (EX_DATAERR), running server or not.
/// </summary>
public sealed class SendmailHandOverTests
{
    [Fact]
    public async Task SendmailBs_Its250_NamesAMessageAlreadyInTheRealQueue_AndAKillBeforeQuitLosesNothing()
    {
        await using var p = CliServer.Create();
        await p.StartAsync();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { CliServer.Dll, "sendmail", "-bs", "--config", p.ConfigFile }) psi.ArgumentList.Add(a);
        using var bs = Process.Start(psi)!;
        _ = bs.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            async Task<string> ReplyAsync()
            {
                string? line;
                while ((line = await bs.StandardOutput.ReadLineAsync(deadline.Token)) is not null && line.Length > 3 && line[3] == '-') { }
                return line ?? throw new InvalidOperationException("sendmail -bs closed its output");
            }
            async Task<string> CommandAsync(string text)
            {
                await bs.StandardInput.WriteAsync(text + "\r\n");
                await bs.StandardInput.FlushAsync();
                return await ReplyAsync();
            }
            Assert.StartsWith("220", await ReplyAsync());
            Assert.StartsWith("250", await CommandAsync("EHLO localhost"));
            Assert.StartsWith("250", await CommandAsync("MAIL FROM:<batch@test.local>"));
            Assert.StartsWith("250", await CommandAsync("RCPT TO:<one@example.net>"));
            Assert.StartsWith("354", await CommandAsync("DATA"));
            var queued = await CommandAsync("Subject: acknowledged\r\n\r\nbody\r\n.");
            Assert.StartsWith("250 2.0.0 Ok: queued as ", queued);
            string id = queued["250 2.0.0 Ok: queued as ".Length..].Trim();
            // No QUIT yet: the acknowledged message must already be in the server's queue, under the id the client got.
            Assert.Contains(await p.QueueAsync(), e => e.GetProperty("id").GetString() == id);
        }
        finally
        {
            bs.Kill(entireProcessTree: true);
            await bs.WaitForExitAsync();
        }
        Assert.Single(await p.QueueAsync());
    }

    [Fact]
    public async Task SendmailBs_RecipientTheServerRefuses_GetsTheRefusal_NotA250()
    {
        await using var p = CliServer.Create();
        Assert.Equal(0, (await p.RunAsync(["user", "add", "bob@test.local", "--password-stdin"], "pw-123456\n")).ExitCode);
        await p.StartAsync();
        var dialogue = "EHLO localhost\r\nMAIL FROM:<batch@test.local>\r\nRCPT TO:<nobody-here@test.local>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n";
        var r = await p.RunAsync(["sendmail", "-bs"], dialogue);
        Assert.Contains("550 5.1.1", r.Stdout);
        Assert.DoesNotContain("queued as", r.Stdout);
        Assert.Equal(67, r.ExitCode);
        Assert.Empty(await p.QueueAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sendmail_UnknownLocalUser_Exits67_BadEnvelopeSender_Exits65(bool serverRunning)
    {
        await using var p = CliServer.Create();
        Assert.Equal(0, (await p.RunAsync(["user", "add", "bob@test.local", "--password-stdin"], "pw-123456\n")).ExitCode);
        if (serverRunning) await p.StartAsync();
        var unknown = await p.RunAsync(["sendmail", "nobody-here@test.local"], "Subject: x\n\nbody\n");
        Assert.Equal(67, unknown.ExitCode);
        Assert.Contains("5.1.1", unknown.Stderr);
        Assert.Equal(65, (await p.RunAsync(["sendmail", "-f", "a@b.example>\r\nRSET", "u@remote.example"], "Subject: x\n\nbody\n")).ExitCode);
        var ok = await p.RunAsync(["sendmail", "bob@test.local"], "Subject: x\n\nbody\n");
        Assert.True(ok.ExitCode == 0, ok.Output);
    }
}
