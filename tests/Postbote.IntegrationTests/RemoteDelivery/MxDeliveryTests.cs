using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;
using Postbote.TestSupport.Peers;
using Xunit.Abstractions;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.RemoteDelivery;

/// <summary>
/// Issue 4, "Done when": mail for a remote domain reaches the host found by MX lookup (RFC 5321 §5.1), end to end
/// through the real server, against a private Postfix and Postfix's smtp-sink on loopback.
/// </summary>
public sealed class MxDeliveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RemoteDelivery_TrustedClient_MailArrivesAtPostfixFoundByMx_ByteExact_OneLogLinePerAttempt_SpoolEmpty()
    {
        if (PostfixInstance.UnavailableReason is { } reason) Assert.Fail($"peer not available: {reason} (scripts/install-test-deps.sh installs it; run as root)");
        await using var postfix = PostfixInstance.FinalDestination("peer.test", "bob");
        await postfix.StartAsync();
        using var dns = new TestDnsServer().AddMx("peer.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1");
        await using var server = await StartServerAsync(dns, postfix.Port);

        var message = Message("alice@client.test", "bob@peer.test", "MX delivery to Postfix");
        var id = await SubmitTrustedAsync(server, "alice@client.test", "bob@peer.test", message);

        var files = await postfix.WaitForMessagesAsync("bob@peer.test", 1, Deadline);
        Assert.True(files.Count == 1, $"nothing arrived at Postfix.\nPostbote:\n{Dump(server)}\nPostfix:\n{postfix.ReadMaillog()}");
        Assert.True(await PollAsync(server.IsSpoolEmpty), "the spool still holds the message:\n" + Dump(server));

        // Postfix prepends Return-Path, Delivered-To and its Received; then come our Received and the bytes as sent.
        var delivered = Utf8(await File.ReadAllBytesAsync(files[0]));
        Assert.Contains("Return-Path: <alice@client.test>\n", delivered);
        Assert.Matches(@"\nReceived: from client\.test \(unknown \[127\.0\.0\.\d+\]\)\n\tby mx\.test\.local \(Postbote\) with ESMTP id " + id, delivered);
        Assert.EndsWith(Lf(message), delivered);

        // The log is written in batches: the attempt line can follow the spool's removal by a few milliseconds.
        Assert.True(await PollAsync(() => Attempts(server, id).Count > 0), "no attempt logged:\n" + Dump(server));
        var line = Assert.Single(Attempts(server, id));
        var m = AttemptLine().Match(line);
        Assert.True(m.Success, line);
        Assert.Equal("bob@peer.test", m.Groups["to"].Value);
        Assert.Equal($"mx.peer.test[127.0.0.1]:{postfix.Port}", m.Groups["relay"].Value);
        Assert.Equal("2.0.0", m.Groups["dsn"].Value);
        Assert.Equal("sent", m.Groups["status"].Value);
        Assert.StartsWith("250 ", m.Groups["reply"].Value);
        Assert.True(await PollAsync(() => MailLog(server).Any(l => l == id + ": removed")), "no 'removed' line"); // logged just after the removal
        Assert.Contains("peer.test/Mx", dns.Queries); // the MX of peer.test was asked
        Assert.Empty(System.IO.Directory.EnumerateFiles(server.Spool.MessageDirectory));
    }

    [Fact]
    public async Task RemoteDelivery_ManyMessagesToOneHost_ReuseCachedConnections()
    {
        if (SmtpSink.UnavailableReason is { } reason) Assert.Fail($"peer not available: {reason} (scripts/install-test-deps.sh installs it; run as root)");
        await using var sink = new SmtpSink(dumpMessages: false);
        await sink.StartAsync();
        using var dns = new TestDnsServer().AddMx("sink.test", 5, "in.sink.test").AddA("in.sink.test", "127.0.0.1");
        await using var server = await StartServerAsync(dns, sink.Port, _ => { });
        const int count = 20;
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync(ServerAddress, server.MxPort, SecureSocketOptions.None);
            for (int i = 0; i < count; i++)
            {
                var mime = new MimeMessage();
                mime.From.Add(MailboxAddress.Parse("app@test.local"));
                mime.To.Add(MailboxAddress.Parse($"carol{i}@sink.test"));
                mime.Subject = $"reuse {i}";
                mime.Body = new TextPart("plain") { Text = "x" };
                await smtp.SendAsync(mime);
            }
            await smtp.DisconnectAsync(true);
        }
        Assert.True(await sink.WaitForMessageCountAsync(count, Deadline), "smtp-sink got " + sink.MessageCount + ":\n" + Dump(server));
        // Postfix's scache behaviour: far fewer sessions than messages (one per concurrent delivery at most).
        Assert.True(sink.SessionCount < count, $"{sink.SessionCount} sessions for {count} messages: connections were not reused");
    }

    [Fact]
    public async Task RemoteDelivery_AuthenticatedSubmissionOn587_MailArrivesAtSmtpSink_ByteExact()
    {
        if (SmtpSink.UnavailableReason is { } reason) Assert.Fail($"peer not available: {reason} (scripts/install-test-deps.sh installs it; run as root)");
        await using var sink = new SmtpSink();
        await sink.StartAsync();
        using var dns = new TestDnsServer().AddMx("sink.test", 5, "in.sink.test").AddA("in.sink.test", "127.0.0.1");
        await using var server = await StartServerAsync(dns, sink.Port, o => o.TrustedNetworks = Array.Empty<string>());
        await server.AddUserAsync("alice@test.local", "Secret-pass-1");

        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse("alice@test.local"));
        mime.To.Add(MailboxAddress.Parse("carol@sink.test"));
        mime.Subject = "to the sink";
        mime.MessageId = "sink-" + Guid.NewGuid().ToString("N") + "@client.test";
        mime.Body = new TextPart("plain") { Text = "hello sink\r\n.dot line\r\n" };
        using (var smtp = new SmtpClient())
        {
            smtp.LocalDomain = "client.test";
            smtp.ServerCertificateValidationCallback = (_, _, _, _) => true; // the test server's self-signed certificate
            await smtp.ConnectAsync(ServerAddress, server.SubmissionPort, SecureSocketOptions.StartTls);
            await smtp.AuthenticateAsync("alice@test.local", "Secret-pass-1");
            await smtp.SendAsync(mime);
            await smtp.DisconnectAsync(true);
        }

        Assert.True(await sink.WaitForMessageCountAsync(1, Deadline), "smtp-sink got nothing:\n" + Dump(server));
        Assert.True(await PollAsync(() => server.Queued().Count == 0 && MailLog(server).Any(l => l.EndsWith(": removed"))),
            "the spool still holds the message:\n" + Dump(server));
        var attempt = Assert.Single(MailLog(server), l => l.Contains("to=<carol@sink.test>"));
        var m = AttemptLine().Match(attempt);
        Assert.True(m.Success, attempt);
        Assert.Equal($"in.sink.test[127.0.0.1]:{sink.Port}", m.Groups["relay"].Value);
        Assert.Equal("sent", m.Groups["status"].Value);

        // smtp-sink -d writes the envelope records, then the message as received (after dot-unstuffing).
        Assert.True(await PollAsync(() => sink.DumpedFiles().Count == 1), "no dump file");
        var dumped = await File.ReadAllTextAsync(sink.DumpedFiles()[0]);
        Assert.Contains("MAIL FROM:<alice@test.local>", dumped.Replace("X-Mail-Args: ", "MAIL FROM:"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("carol@sink.test", dumped);
        Assert.Contains("Received: from client.test", dumped);
        Assert.Contains("by mx.test.local (Postbote) with ESMTPSA id " + m.Groups["id"].Value, dumped);
        Assert.Contains("Message-Id: <" + mime.MessageId + ">", dumped, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\n.dot line", Lf(dumped));
    }
}
