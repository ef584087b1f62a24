using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Postbote.Core.Envelope;
using Postbote.TestSupport.Peers;

namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>
/// Postbote as the MTA half of the Postbote + Dovecot pairing (issue 5): delivery over LMTP into Dovecot, and Dovecot
/// serving over IMAP a Maildir that Postbote wrote. A private Dovecot on loopback; skipped when it is not installed.
/// </summary>
public sealed class DovecotInteropTests
{
    private sealed class DovecotFactAttribute : FactAttribute
    {
        public DovecotFactAttribute()
        {
            if (DovecotInstance.UnavailableReason is { } why) Skip = why;
        }
    }

    private static async Task<ImapClient> ImapAsync(DovecotInstance dovecot)
    {
        var imap = new ImapClient();
        await imap.ConnectAsync("127.0.0.1", dovecot.ImapPort, SecureSocketOptions.None).WaitAsync(LocalMail.Deadline);
        await imap.AuthenticateAsync(dovecot.User, dovecot.Password).WaitAsync(LocalMail.Deadline);
        return imap;
    }

    [DovecotFact]
    public async Task DeliveredOverLmtp_ReadBackOverImap()
    {
        await using var dovecot = new DovecotInstance("bob", "imap-secret", "test.local");
        await dovecot.StartAsync();
        await using var server = await LocalMail.StartDeliveringAsync(o =>
        {
            o.LocalDelivery.Lmtp = $"127.0.0.1:{dovecot.LmtpPort}";
            o.LocalDelivery.LmtpDomains = ["test.local"];
        });
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        var sent = LocalMail.NewMessage("alice@remote.example", "bob@test.local", "über LMTP", "Hallo Bob,\r\nper LMTP zugestellt.");

        await LocalMail.SendMxAsync(server.MxPort, sent, "alice@remote.example", "bob@test.local");

        await LocalMail.WaitForEmptyQueueAsync(server);
        Assert.Single(await PeerMaildir.WaitForMessagesAsync(dovecot.MaildirPath, 1, LocalMail.Deadline));
        Assert.False(System.IO.Directory.Exists(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"))); // not Maildir
        // The mail log line follows the envelope update the test waited for: wait for it too (bounded).
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("to=<bob@test.local>") && l.Contains("status=sent"))), "mail log line missing");

        using var imap = await ImapAsync(dovecot);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(1, imap.Inbox.Count);
        var got = await imap.Inbox.GetMessageAsync(0);
        Assert.Equal(sent.MessageId, got.MessageId);
        Assert.Equal("über LMTP", got.Subject);
        Assert.Contains("per LMTP zugestellt.", got.TextBody);
        Assert.Equal("<alice@remote.example>", got.Headers["Return-Path"]);
        Assert.Contains(got.Headers, h => h.Field == "Received" && h.Value.Contains("Postbote"));
        await imap.DisconnectAsync(true);
    }

    [DovecotFact]
    public async Task Lmtp_OneReplyPerRecipient_TheUserDovecotDoesNotKnowBouncesTheOtherIsDelivered()
    {
        await using var dovecot = new DovecotInstance("bob", "imap-secret", "test.local");
        await dovecot.StartAsync();
        await using var server = await LocalMail.StartDeliveringAsync(o => o.LocalDelivery.Lmtp = $"127.0.0.1:{dovecot.LmtpPort}");
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await server.AddUserAsync("ghost@test.local", "pw-ghost-1"); // known to Postbote, not to Dovecot

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("alice@remote.example", "bob@test.local", "two", "b"),
            "alice@remote.example", "bob@test.local", "ghost@test.local");

        Assert.Single(await PeerMaildir.WaitForMessagesAsync(dovecot.MaildirPath, 1, LocalMail.Deadline));
        // The original leaves the queue; a DSN for ghost@ to the (remote) sender is queued in its place.
        var bounce = await LocalMail.WaitForRecipientAsync(server, r => r.Address == "alice@remote.example");
        Assert.Equal("", bounce.ReversePath);
        // The mail log line follows the envelope update the test waited for: wait for it too (bounded).
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("to=<ghost@test.local>") && l.Contains("status=bounced"))), "mail log line missing");
        // The mail log line follows the envelope update the test waited for: wait for it too (bounded).
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("to=<bob@test.local>") && l.Contains("status=sent"))), "mail log line missing");
    }

    [DovecotFact]
    public async Task MaildirWrittenByPostbote_IsServedByDovecotOverImap_InboxAndSentFolder()
    {
        await using var dovecot = new DovecotInstance("bob", "imap-secret", "test.local");
        // Postbote's Maildir template points at Dovecot's mail_location (maildir:~/Maildir, home WORK/mail/%n).
        await using var server = await LocalMail.StartDeliveringAsync(o =>
            o.LocalDelivery.MaildirPath = Path.Combine(dovecot.WorkDirectory, "mail", "{localpart}", "Maildir"));
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        var incoming = LocalMail.NewMessage("alice@remote.example", "bob@test.local", "in the inbox", "read me over IMAP");
        await LocalMail.SendMxAsync(server.MxPort, incoming, "alice@remote.example", "bob@test.local");
        var outgoing = LocalMail.NewMessage("bob@test.local", "carol@external.example", "sent by bob", "filed into Sent");
        await LocalMail.SubmitAsync(server.SubmissionPort, false, "bob@test.local", "pw-bob-1", outgoing);
        Assert.Single(await LocalMail.WaitForMessagesAsync(dovecot.MaildirPath));

        // Started now, Dovecot takes ownership of the mail directory as a deployment with a vmail user has it.
        await dovecot.StartAsync();
        using var imap = await ImapAsync(dovecot);
        await imap.Inbox.OpenAsync(FolderAccess.ReadWrite);
        Assert.Equal(1, imap.Inbox.Count);
        var got = await imap.Inbox.GetMessageAsync(0);
        Assert.Equal(incoming.MessageId, got.MessageId);
        Assert.Equal("read me over IMAP", got.TextBody.Trim());
        Assert.Equal("bob@test.local", got.Headers["Delivered-To"]);
        var unseen = await imap.Inbox.SearchAsync(SearchQuery.NotSeen);
        Assert.Single(unseen); // new/ means unseen
        await imap.Inbox.CloseAsync();

        var sent = await imap.GetFolderAsync("Sent");
        await sent.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(1, sent.Count);
        var summary = (await sent.FetchAsync(0, -1, MessageSummaryItems.Flags | MessageSummaryItems.Envelope)).Single();
        Assert.True(summary.Flags!.Value.HasFlag(MessageFlags.Seen));
        Assert.Equal(outgoing.MessageId, summary.Envelope.MessageId?.Trim('<', '>'));
        await imap.DisconnectAsync(true);
        Assert.DoesNotContain("Error", dovecot.ReadLog());
    }
}
