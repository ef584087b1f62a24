using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests;

/// <summary>The durability promise: a 250 after DATA means the message survives kill -9; nothing is half-written.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task KillMinus9_DuringLoad_EveryAcknowledgedMessageIsInTheSpoolAfterRestart_AndNoneIsHalfWritten()
    {
        var server = await PostboteProcess.StartAsync();
        var dataDir = server.DataDirectory;
        int port = server.Port("mx");
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var body = string.Concat(Enumerable.Range(0, 250).Select(i => $"line {i:D4} of a message that must arrive whole\n")) + "END-OF-BODY-MARKER";

        async Task SenderAsync(int n)
        {
            using var client = new SmtpClient();
            try
            {
                await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
                for (int i = 0; i < 400 && !stop.IsCancellationRequested; i++)
                {
                    var msg = new MimeMessage();
                    msg.From.Add(MailboxAddress.Parse($"sender{n}@remote.example"));
                    msg.To.Add(MailboxAddress.Parse("rcpt@test.local"));
                    msg.Subject = $"load {n}/{i}";
                    msg.Body = new TextPart("plain") { Text = body };
                    var reply = await client.SendAsync(msg);
                    acknowledged.Add(reply[^12..]);
                }
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or System.Net.Sockets.SocketException or SmtpCommandException or OperationCanceledException)
            {
                // the server died under us: what was acknowledged before is what counts
            }
        }

        var senders = Enumerable.Range(0, 4).Select(SenderAsync).ToArray();
        // Kill once a fair number of messages were acknowledged (bounded wait), while the senders are still sending.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (acknowledged.Count < 40 && DateTime.UtcNow < deadline) await Task.Delay(10);
        await server.KillAsync();
        stop.Cancel();
        await Task.WhenAll(senders);
        await server.DisposeAsync();
        Assert.True(acknowledged.Count >= 40, $"only {acknowledged.Count} messages acknowledged before the deadline");
        // Not a clean stop: the restart verifies every queued message against the length and hash in its envelope.
        Assert.True(File.Exists(Path.Combine(dataDir, "queue", "in-use")));

        // Restart on the same data: the start-up scan removes what was never acknowledged and keeps the rest.
        await using var restarted = await PostboteProcess.LaunchAsync(dataDir, Path.Combine(dataDir, "postbote.json"), "serve", "--config", Path.Combine(dataDir, "postbote.json"));
        var active = System.IO.Directory.GetFiles(Path.Combine(dataDir, "queue", "active"), "*.json").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        foreach (var id in acknowledged) Assert.Contains(id, active);
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(dataDir, "queue", "tmp")));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(dataDir, "queue", "corrupt")));
        foreach (var id in active)
        {
            var env = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dataDir, "queue", "active", id + ".json"))).RootElement;
            var bytes = File.ReadAllBytes(Path.Combine(dataDir, "queue", "messages", id!));
            Assert.Equal(env.GetProperty("Size").GetInt64(), bytes.Length);
            var text = Encoding.ASCII.GetString(bytes);
            Assert.StartsWith("Received: ", text);
            Assert.EndsWith("END-OF-BODY-MARKER", text.TrimEnd());
        }
        // The restarted server still takes mail.
        using var again = new SmtpClient();
        await again.ConnectAsync("127.0.0.1", restarted.Port("mx"), MailKit.Security.SecureSocketOptions.None);
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse("after@remote.example"));
        m.To.Add(MailboxAddress.Parse("rcpt@test.local"));
        m.Body = new TextPart("plain") { Text = "after restart" };
        Assert.Contains("queued as", await again.SendAsync(m));
    }

    [Fact]
    public async Task Sigterm_LetsTheTransactionInDataFinish_ThenAnswers421_AndExits()
    {
        await using var server = await PostboteProcess.StartAsync();
        await using var c = await RawSmtpClient.ConnectAsync(server.Port("mx"));
        await c.ReadAsync();
        await c.CommandAsync("EHLO client.example");
        Assert.Equal("250 2.1.0 Ok", await c.CommandAsync("MAIL FROM:<a@remote.example>"));
        Assert.Equal("250 2.1.5 Ok", await c.CommandAsync("RCPT TO:<b@test.local>"));
        Assert.StartsWith("354", await c.CommandAsync("DATA"));
        await c.SendAsync("Subject: in flight\r\n\r\nfirst half\r\n");
        await server.TerminateAsync();
        // The signal is handled asynchronously: wait (bounded) until shutdown has begun, seen from outside as the
        // listener refusing new connections or greeting them with 421, before finishing the transaction.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        bool stopping = false;
        while (!stopping && DateTime.UtcNow < deadline)
        {
            try
            {
                await using var probe = await RawSmtpClient.ConnectAsync(server.Port("mx"));
                var first = await probe.ReadLineAsync();
                stopping = first is null || first.StartsWith("421");
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException) { stopping = true; }
            if (!stopping) await Task.Delay(50);
        }
        Assert.True(stopping, "the server did not start shutting down after SIGTERM");
        await c.SendAsync("second half\r\n.\r\n");
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as", await c.ReadAsync());
        await c.SendLineAsync("NOOP");
        var after = await c.ReadLineAsync();
        Assert.StartsWith("421 4.3.2", after);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        // A clean stop: the next start need not read every queued message to verify it.
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "queue", "in-use")));
        var envelopes = System.IO.Directory.GetFiles(Path.Combine(server.DataDirectory, "queue", "active"), "*.json");
        Assert.Single(envelopes);
    }

    [Fact]
    public async Task BadConfiguration_StopsTheStart_WithTheKeyNamed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "postbote-badcfg-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "bad.json");
        await File.WriteAllTextAsync(file, """{ "DataDirectory": "DIR", "Limits": { "MessageSizeBytes": 10 }, "Listeners": [ { "Endpoint": "nonsense" } ] }""".Replace("DIR", dir));
        await using var p = await PostboteProcess.RunAsync(dir, file, "serve", "--config", file);
        Assert.Equal(78, await p.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var output = string.Join("\n", p.Output);
        Assert.Contains("Limits:MessageSizeBytes", output);
        Assert.Contains("Listeners:0:Endpoint", output);

        await File.WriteAllTextAsync(file, """{ "Limitz": { } }""");
        await using var p2 = await PostboteProcess.RunAsync(dir, file, "check-config", "--config", file);
        Assert.Equal(78, await p2.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Limitz", string.Join("\n", p2.Output));
    }
}
