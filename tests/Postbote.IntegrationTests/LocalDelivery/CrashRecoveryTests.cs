using System.Diagnostics;
using Postbote.TestSupport.Peers;

namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>
/// Issue 5: "a kill between writing the Maildir file and updating the spool delivers at least once and loses nothing".
/// The spool's recipient state is updated only after the Maildir rename; a crash in between leaves the recipient
/// pending, and the restart delivers it again (at least once, never zero times).
/// </summary>
public sealed class CrashRecoveryTests
{
    private static string NewDataDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "postbote-crash-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in System.IO.Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            System.IO.Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
    }

    /// <summary>Accepts one message for bob@test.local with delivery off and stops; returns its Message-ID.</summary>
    private static async Task<string> QueueOneMessageAsync(string data)
    {
        await using var accept = await RestartableServer.StartAsync(data, deliver: false);
        await accept.Directory.AddUserAsync("bob@test.local", "pw-bob-1");
        var message = LocalMail.NewMessage("alice@remote.example", "bob@test.local", "survives a crash", "nothing is lost");
        await LocalMail.SendMxAsync(accept.MxPort, message, "alice@remote.example", "bob@test.local");
        Assert.Single(accept.Queued());
        return message.MessageId;
    }

    private static async Task AssertDeliveredAtLeastOnceAndSpoolEmptyAsync(string data, string messageId)
    {
        await using var again = await RestartableServer.StartAsync(data, deliver: true);
        // Removal takes the envelope first and the message file after it: wait for both, not just the envelope.
        Assert.True(await LocalMail.WaitUntilAsync(() => again.Queued().Count == 0 && System.IO.Directory.GetFiles(again.Spool.MessageDirectory).Length == 0),
            "the spool did not empty after the restart");
        var maildir = LocalMail.MaildirOf(data, "bob@test.local");
        var files = PeerMaildir.MessageFiles(maildir);
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.Equal(messageId, LocalMail.Load(f).MessageId));
        Assert.Empty(LocalMail.TmpFiles(maildir));
        Assert.Empty(System.IO.Directory.GetFiles(again.Spool.MessageDirectory));
        Assert.Empty(LocalMail.AllStates(again.Spool));
    }

    [Fact]
    public async Task SpoolNotUpdatedAfterTheMaildirWrite_TheRestartDeliversAgain_NothingLost()
    {
        var data = NewDataDirectory();
        try
        {
            var messageId = await QueueOneMessageAsync(data);
            // The spool as it was before the delivery attempt...
            var queue = Path.Combine(data, "queue");
            var snapshot = Path.Combine(data, "queue-before-delivery");
            CopyTree(queue, snapshot);

            await using (var deliver = await RestartableServer.StartAsync(data, deliver: true))
            {
                Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(data, "bob@test.local")));
                Assert.True(await LocalMail.WaitUntilAsync(() => deliver.Queued().Count == 0));
            }

            // ...is what a crash right after the Maildir rename, before the envelope update, leaves on disk.
            System.IO.Directory.Delete(queue, recursive: true);
            System.IO.Directory.Move(snapshot, queue);

            await AssertDeliveredAtLeastOnceAndSpoolEmptyAsync(data, messageId);
            Assert.Equal(2, PeerMaildir.MessageFiles(LocalMail.MaildirOf(data, "bob@test.local")).Count);
        }
        finally
        {
            try { System.IO.Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task RealServeProcess_KilledWithSigkillOnceTheMaildirFileAppears_RestartLosesNothing()
    {
        var data = NewDataDirectory();
        Process? serve = null;
        try
        {
            var messageId = await QueueOneMessageAsync(data);
            var config = Path.Combine(data, "postbote.json");
            await File.WriteAllTextAsync(config, $$"""
                {
                  // as the in-process fixture: loopback, kernel-chosen ports, a DNS server that does not exist
                  "Hostname": "mx.test.local",
                  "DataDirectory": "{{data}}",
                  "Domains": [ "test.local" ],
                  "Dns": { "Servers": [ "127.0.0.1:1" ], "Timeout": "00:00:01" },
                  "Http": { "Endpoint": "" },
                  "Listeners": [ { "Name": "mx", "Endpoint": "127.0.0.1:0", "Role": "Mx" } ]
                }
                """);
            var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "postbote.dll"));
            psi.ArgumentList.Add("serve");
            psi.ArgumentList.Add("--config");
            psi.ArgumentList.Add(config);
            serve = Process.Start(psi)!;
            var output = new System.Text.StringBuilder();
            serve.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            serve.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            serve.BeginOutputReadLine();
            serve.BeginErrorReadLine();

            var maildir = LocalMail.MaildirOf(data, "bob@test.local");
            var appeared = await LocalMail.WaitUntilAsync(() => PeerMaildir.MessageFiles(maildir).Count > 0 || serve.HasExited, TimeSpan.FromSeconds(60));
            serve.Kill(); // SIGKILL: no shutdown, no flush, whatever the queue manager was doing
            await serve.WaitForExitAsync().WaitAsync(LocalMail.Deadline);
            string log;
            lock (output) log = output.ToString();
            Assert.True(appeared && PeerMaildir.MessageFiles(maildir).Count > 0, "postbote serve did not deliver: " + log);

            await AssertDeliveredAtLeastOnceAndSpoolEmptyAsync(data, messageId);
        }
        finally
        {
            if (serve is { HasExited: false }) serve.Kill();
            serve?.Dispose();
            try { System.IO.Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
