namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>An authenticated submission is filed into the sender's Maildir++ .Sent folder, seen (issue 5).</summary>
public sealed class SentCopyTests
{
    [Theory]
    [InlineData(false)] // 587, STARTTLS
    [InlineData(true)]  // 465, implicit TLS
    public async Task AuthenticatedSubmission_AppearsInSentCur_WithFlagS(bool implicitTls)
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await server.AddUserAsync("carol@test.local", "pw-carol-1");
        var message = LocalMail.NewMessage("bob@test.local", "carol@test.local", "sent by bob", "hello carol");

        await LocalMail.SubmitAsync(implicitTls ? server.SubmissionsPort : server.SubmissionPort, implicitTls, "bob@test.local", "pw-bob-1", message);

        var bob = LocalMail.MaildirOf(server.DataDirectory, "bob@test.local");
        var sentDir = Path.Combine(bob, ".Sent");
        // Filed before the 250 after DATA: already there when the client is done.
        var file = Assert.Single(System.IO.Directory.GetFiles(Path.Combine(sentDir, "cur")));
        Assert.EndsWith(":2,S", file);
        Assert.True(File.Exists(Path.Combine(sentDir, "maildirfolder")));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(sentDir, "new")));
        Assert.Empty(LocalMail.TmpFiles(sentDir));
        var copy = LocalMail.Load(file);
        Assert.Equal(message.MessageId, copy.MessageId);
        Assert.Equal("sent by bob", copy.Subject);
        Assert.Contains("hello carol", copy.TextBody);
        // Filed as the user sent it (as an IMAP APPEND would): not a delivery, so no Delivered-To: bob, no Return-Path.
        Assert.Null(copy.Headers["Delivered-To"]);
        Assert.Null(copy.Headers["Return-Path"]);
        Assert.StartsWith("Received: ", await File.ReadAllTextAsync(file));
        // A Sent copy is not a delivery to bob: his INBOX stays empty.
        Assert.Empty(LocalMail.AllMessageFiles(bob));

        var carol = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "carol@test.local"))));
        Assert.Equal(message.MessageId, carol.MessageId);
        await LocalMail.WaitForEmptyQueueAsync(server);
    }

    [Fact]
    public async Task SubmissionToAnExternalAddress_StillGetsASentCopy()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");

        await LocalMail.SubmitAsync(server.SubmissionPort, false, "bob@test.local", "pw-bob-1",
            LocalMail.NewMessage("bob@test.local", "someone@external.example", "outbound", "hi"));

        var sent = Path.Combine(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"), ".Sent");
        Assert.Equal("outbound", LocalMail.Load(Assert.Single(System.IO.Directory.GetFiles(Path.Combine(sent, "cur")))).Subject);
    }

    [Fact]
    public async Task MailReceivedOnPort25_CreatesNoSentFolder()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await server.AddUserAsync("carol@test.local", "pw-carol-1");

        // Claims to be from bob, but arrives unauthenticated on the MX port.
        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("bob@test.local", "carol@test.local", "from outside", "b"),
            "bob@test.local", "carol@test.local");

        await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "carol@test.local"));
        await LocalMail.WaitForEmptyQueueAsync(server);
        Assert.False(System.IO.Directory.Exists(Path.Combine(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"), ".Sent")));
        Assert.False(System.IO.Directory.Exists(Path.Combine(LocalMail.MaildirOf(server.DataDirectory, "carol@test.local"), ".Sent")));
    }

    [Fact]
    public async Task SentCopyFalse_FilesNoCopy()
    {
        await using var server = await LocalMail.StartDeliveringAsync(o => o.LocalDelivery.SentCopy = false);
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await server.AddUserAsync("carol@test.local", "pw-carol-1");

        await LocalMail.SubmitAsync(server.SubmissionPort, false, "bob@test.local", "pw-bob-1",
            LocalMail.NewMessage("bob@test.local", "carol@test.local", "no copy", "b"));

        await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "carol@test.local"));
        await LocalMail.WaitForEmptyQueueAsync(server);
        Assert.False(System.IO.Directory.Exists(Path.Combine(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"), ".Sent")));
    }

    [Fact]
    public async Task SentFolderName_IsConfigurable()
    {
        await using var server = await LocalMail.StartDeliveringAsync(o => o.LocalDelivery.SentFolder = ".Gesendet");
        await server.AddUserAsync("bob@test.local", "pw-bob-1");

        await LocalMail.SubmitAsync(server.SubmissionsPort, true, "bob@test.local", "pw-bob-1",
            LocalMail.NewMessage("bob@test.local", "someone@external.example", "gesendet", "b"));

        var folder = Path.Combine(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"), ".Gesendet", "cur");
        Assert.Single(System.IO.Directory.GetFiles(folder));
    }
}
