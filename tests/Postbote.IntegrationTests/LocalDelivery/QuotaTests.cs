using MimeKit;
using Postbote.Core.Envelope;

namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>Per-user and default mailbox quotas: over quota defers with 4.2.2, or bounces with 5.2.2 when configured (issue 5).</summary>
public sealed class QuotaTests
{
    /// <summary>
    /// These tests send a message larger than the quota (with SIZE=, as MailKit does), which the RCPT check refuses
    /// (BackscatterAtRcptTests); with it off they reach the delivery-time check, which mail accepted before the
    /// mailbox filled still meets.
    /// </summary>
    private static void DeliveryTimeCheckOnly(Postbote.Configuration.PostboteOptions o) => o.LocalDelivery.QuotaCheckAtRcpt = false;

    [Fact]
    public async Task OverUserQuota_IsDeferredWith422_AndStaysQueued_NothingInTheMaildir()
    {
        await using var server = await LocalMail.StartDeliveringAsync(DeliveryTimeCheckOnly);
        await server.Directory.AddUserAsync("bob@test.local", "pw-bob-1", new Postbote.Directory.UserSettings(QuotaBytes: 200));

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "bob@test.local", "too big", new string('x', 400)),
            "x@remote.example", "bob@test.local");

        var env = await LocalMail.WaitForRecipientAsync(server, r => r.Address == "bob@test.local" && r.Attempts > 0);
        var r = Assert.Single(env.Recipients);
        Assert.Equal(RecipientState.Pending, r.State);
        Assert.Equal("4.2.2", r.Status);
        Assert.Contains("quota", r.Diagnostic);
        Assert.Empty(LocalMail.AllMessageFiles(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local")));
        // The mail log line follows the envelope update the test waited for: wait for it too (bounded).
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("to=<bob@test.local>") && l.Contains("dsn=4.2.2") && l.Contains("status=deferred"))), "mail log line missing");
    }

    [Fact]
    public async Task DefaultQuota_FillsUp_ThenTheNextMessageIsDeferred()
    {
        await using var server = await LocalMail.StartDeliveringAsync(o => o.LocalDelivery.QuotaBytes = 3000);
        await server.AddUserAsync("bob@test.local", "pw-bob-1");

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "bob@test.local", "first", new string('a', 1200)),
            "x@remote.example", "bob@test.local");
        await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"));
        await LocalMail.WaitForEmptyQueueAsync(server);

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "bob@test.local", "second", new string('b', 2000)),
            "x@remote.example", "bob@test.local");
        var env = await LocalMail.WaitForRecipientAsync(server, r => r.Address == "bob@test.local" && r.Attempts > 0);
        Assert.Equal("4.2.2", Assert.Single(env.Recipients).Status);
        Assert.Single(LocalMail.AllMessageFiles(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local")));
    }

    [Fact]
    public async Task OverQuota_WithQuotaExceededIsPermanent_Bounces522_AndTheSenderGetsTheDsn()
    {
        await using var server = await LocalMail.StartDeliveringAsync(o => { o.LocalDelivery.QuotaExceededIsPermanent = true; DeliveryTimeCheckOnly(o); });
        await server.Directory.AddUserAsync("bob@test.local", "pw-bob-1", new Postbote.Directory.UserSettings(QuotaBytes: 200));
        await server.AddUserAsync("alice@test.local", "pw-alice-1");

        var sent = LocalMail.NewMessage("alice@test.local", "bob@test.local", "too big", new string('x', 400));
        await LocalMail.SendMxAsync(server.MxPort, sent, "alice@test.local", "bob@test.local");

        // The DSN goes back to the local sender's Maildir; the original leaves the queue.
        var dsnFile = Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "alice@test.local")));
        await LocalMail.WaitForEmptyQueueAsync(server);
        var dsn = LocalMail.Load(dsnFile);
        Assert.Equal("<>", dsn.Headers["Return-Path"]);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        Assert.Equal("delivery-status", report.ReportType);
        var status = report.OfType<MessageDeliveryStatus>().Single();
        var perRecipient = status.StatusGroups.Skip(1).Single();
        Assert.Equal("failed", perRecipient["Action"]);
        Assert.Equal("5.2.2", perRecipient["Status"]);
        Assert.Contains("bob@test.local", perRecipient["Final-Recipient"]);
        Assert.Empty(LocalMail.AllMessageFiles(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local")));
        // The mail log line follows the envelope update the test waited for: wait for it too (bounded).
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("to=<bob@test.local>") && l.Contains("dsn=5.2.2") && l.Contains("status=bounced"))), "mail log line missing");
    }

    [Fact]
    public async Task SentFolder_CountsTowardsTheQuota_AsDovecotsMaildirPlusPlusQuotaDoes()
    {
        await using var server = await LocalMail.StartDeliveringAsync(DeliveryTimeCheckOnly);
        await server.Directory.AddUserAsync("bob@test.local", "pw-bob-1", new Postbote.Directory.UserSettings(QuotaBytes: 4000));

        await LocalMail.SubmitAsync(server.SubmissionPort, false, "bob@test.local", "pw-bob-1",
            LocalMail.NewMessage("bob@test.local", "someone@external.example", "big sent mail", new string('s', 2500)));
        var bob = LocalMail.MaildirOf(server.DataDirectory, "bob@test.local");
        Assert.Single(System.IO.Directory.GetFiles(Path.Combine(bob, ".Sent", "cur")));

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "bob@test.local", "incoming", new string('i', 1500)),
            "x@remote.example", "bob@test.local");
        var env = await LocalMail.WaitForRecipientAsync(server, r => r.Address == "bob@test.local" && r.Attempts > 0);
        Assert.Equal("4.2.2", env.Recipients.Single(r => r.Address == "bob@test.local").Status);
        Assert.Empty(LocalMail.AllMessageFiles(bob));
    }
}
