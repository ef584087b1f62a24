using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;
using Postbote.IntegrationTests.MailAuth;

namespace Postbote.IntegrationTests.Filters;

/// <summary>
/// Issue 13: OpenDKIM (Debian opendkim) as a milter, started privately with its own configuration on a unix
/// socket, signs mail from an internal client; the signature it inserted verifies with python3-dkim against the
/// key's record, so the header insertion and the byte-exact copy of the rest of the message are right.
/// </summary>
public sealed class OpenDkimMilterTests
{
    private const string OpenDkim = RequiresFilesFactAttribute.OpenDkim;

    [RequiresFilesFact(RequiresFilesFactAttribute.OpenDkim, RequiresFilesFactAttribute.PyDkim)]
    public async Task OpenDkimSignsOutgoingMail_AndTheSignatureVerifies()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pb-opendkim-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(dir);
        using var rsa = RSA.Create(2048);
        var keyFile = Path.Combine(dir, "pb.private");
        await File.WriteAllTextAsync(keyFile, rsa.ExportRSAPrivateKeyPem());
        var socket = Path.Combine(dir, "opendkim.sock");
        var conf = Path.Combine(dir, "opendkim.conf");
        await File.WriteAllTextAsync(conf, $"""
            Mode s
            Domain test.local
            Selector pb
            KeyFile {keyFile}
            Socket local:{socket}
            PidFile {Path.Combine(dir, "opendkim.pid")}
            Canonicalization relaxed/simple
            InternalHosts 127.0.0.1
            RequireSafeKeys no
            Background no
            Syslog no
            """);
        var psi = new ProcessStartInfo(OpenDkim) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-f", "-x", conf }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            bool up = await LocalMail.WaitUntilAsync(() => File.Exists(socket) || process.HasExited, TimeSpan.FromSeconds(20));
            Assert.True(up && !process.HasExited, "opendkim did not start: " + (process.HasExited ? await stderr : "no socket"));
            await using var server = await MilterTests.StartAsync("unix:" + socket);
            await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort))
            {
                var message = "From: alice@test.local\r\nTo: bob@remote.example\r\nSubject: signed by OpenDKIM\r\nDate: Fri, 04 Dec 2026 20:00:00 +0000\r\nMessage-ID: <1@test.local>\r\n\r\nHello,\r\n\r\nthis is signed.\r\n";
                Assert.StartsWith("250", await MilterTests.SendAsync(c, message, "bob@test.local"));
            }
            var queued = Assert.Single(server.Queued());
            var stored = server.MessageBytes(queued.QueueId);
            Assert.Contains("DKIM-Signature:", Encoding.ASCII.GetString(stored));
            Assert.Contains("d=test.local", Encoding.ASCII.GetString(stored));
            var record = "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
            Assert.Equal("pass", await DkimPy.VerifyAsync(stored, new Dictionary<string, string> { ["pb._domainkey.test.local"] = record }));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            try { System.IO.Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
