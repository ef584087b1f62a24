using System.Text;
using System.Text.Json;
using Postbote.IntegrationTests.Cli;

namespace Postbote.IntegrationTests.MailAuth;

/// <summary>
/// Issue 12: what `postbote sendmail` submits (through the running server's submit socket, or straight into the
/// spool when it is stopped) and the DSNs Postbote writes are signed with the key `postbote dkim keygen` made, and
/// verify with python3-dkim given the record it printed.
/// </summary>
public sealed class DkimLocalSubmissionTests
{
    private const string Message = "From: App <app@test.local>\nTo: bob@example.net\nSubject: from cron\n\nnightly report  \n\n";

    private static async Task<Dictionary<string, string>> KeygenAsync(CliServer p)
    {
        var r = await p.RunAsync(["dkim", "keygen", "test.local", "--selector", "cli", "--json"]);
        Assert.True(r.ExitCode == 0, r.Output);
        var json = JsonDocument.Parse(r.Stdout).RootElement;
        return new Dictionary<string, string> { [json.GetProperty("name").GetString()!] = json.GetProperty("txt").GetString()! };
    }

    /// <summary>The message as delivery sends it: the envelope's prepended fields, then the spool file.</summary>
    private static async Task<byte[]> AsDeliveredAsync(CliServer p, string id)
    {
        var envelope = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(p.DataDirectory, "queue", "active", id + ".json"))).RootElement;
        var prepend = envelope.TryGetProperty("PrependHeaders", out var list) ? string.Concat(list.EnumerateArray().Select(e => e.GetString())) : "";
        return [.. Encoding.UTF8.GetBytes(prepend), .. await File.ReadAllBytesAsync(Path.Combine(p.DataDirectory, "queue", "messages", id))];
    }

    private static async Task<string> SendmailAsync(CliServer p)
    {
        var before = (await p.QueueAsync()).Select(e => e.GetProperty("id").GetString()).ToHashSet();
        var r = await p.RunAsync(["sendmail", "-f", "app@test.local", "bob@example.net"], Message);
        Assert.True(r.ExitCode == 0, r.Output);
        return (await p.QueueAsync()).Select(e => e.GetProperty("id").GetString()!).Single(id => !before.Contains(id));
    }

    [Fact]
    public async Task Sendmail_with_the_server_stopped_or_running_and_its_bounce_are_signed()
    {
        Assert.True(DkimPy.Available, "python3-dkim is not installed (run scripts/install-test-deps.sh)");
        await using var p = CliServer.Create();
        var records = await KeygenAsync(p);

        string offline = await SendmailAsync(p); // no server: straight into the spool
        Assert.Equal("pass", await DkimPy.VerifyAsync(await AsDeliveredAsync(p, offline), records));

        await p.StartAsync();
        string online = await SendmailAsync(p); // through submit.sock
        var delivered = await AsDeliveredAsync(p, online);
        Assert.Equal("pass", await DkimPy.VerifyAsync(delivered, records));
        Assert.Equal("fail", await DkimPy.VerifyAsync(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(delivered).Replace("nightly", "hourly")), records));

        // The DSN (From: MAILER-DAEMON@mx.test.local) is signed with the parent domain's key.
        var bounce = await p.RunAsync(["queue", "bounce", online]);
        Assert.True(bounce.ExitCode == 0, bounce.Output);
        var dsn = (await p.QueueAsync()).Single(e => e.GetProperty("sender").GetString() == "").GetProperty("id").GetString()!;
        var dsnBytes = await AsDeliveredAsync(p, dsn);
        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=test.local;", Encoding.UTF8.GetString(dsnBytes));
        Assert.Equal("pass", await DkimPy.VerifyAsync(dsnBytes, records));
    }
}
