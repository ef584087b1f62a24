using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>Mail received on port 25 for a local user lands in the user's Maildir (issue 5), end to end over SMTP.</summary>
public sealed class MaildirDeliveryTests
{
    [Fact]
    public async Task MailForAUser_LandsInTheirMaildirNew_IntactWithReturnPathAndDeliveredTo_AndLeavesTheSpool()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        var sent = LocalMail.NewMessage("alice@remote.example", "bob@test.local", "Grüße aus der Ferne", "Line one.\r\n.leading dot\r\nLine three.");
        sent.Headers.Add("X-Custom", "kept as is");

        await LocalMail.SendMxAsync(server.MxPort, sent, "alice@remote.example", "bob@test.local");

        var maildir = LocalMail.MaildirOf(server.DataDirectory, "bob@test.local");
        var file = Assert.Single(await LocalMail.WaitForMessagesAsync(maildir));
        Assert.Equal(Path.Combine(maildir, "new"), Path.GetDirectoryName(file));
        Assert.Matches(@"^\d+\.M\d+P\d+Q\d+R[0-9a-f]+\.mx\.test\.local,S=\d+$", Path.GetFileName(file));
        Assert.Equal(new FileInfo(file).Length.ToString(), Path.GetFileName(file)[(Path.GetFileName(file).LastIndexOf("S=", StringComparison.Ordinal) + 2)..]);

        var text = await File.ReadAllTextAsync(file);
        Assert.StartsWith("Return-Path: <alice@remote.example>\r\nDelivered-To: bob@test.local\r\nReceived: from ", text);
        var got = LocalMail.Load(file);
        Assert.Equal("<alice@remote.example>", got.Headers["Return-Path"]);
        Assert.Equal("bob@test.local", got.Headers["Delivered-To"]);
        Assert.Equal(sent.MessageId, got.MessageId);
        Assert.Equal("Grüße aus der Ferne", got.Subject);
        Assert.Equal("kept as is", got.Headers["X-Custom"]);
        Assert.Equal("alice@remote.example", got.From.Mailboxes.Single().Address);
        Assert.Equal("Line one.\n.leading dot\nLine three.", got.TextBody.Replace("\r\n", "\n").TrimEnd('\n'));

        Assert.Empty(LocalMail.TmpFiles(maildir));
        await LocalMail.WaitForEmptyQueueAsync(server);
        Assert.Empty(System.IO.Directory.GetFiles(server.Spool.MessageDirectory));
        // The mail log line follows the envelope update the test waited for: wait for it too (bounded).
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("to=<bob@test.local>") && l.Contains("status=sent"))), "mail log line missing");
    }

    [RequiresToolFact("swaks")]
    public async Task NewcomerWalkthrough_SwaksOnPort25_ReadsTheMailInTheMaildir()
    {
        await using var server = await LocalMail.StartDeliveringAsync(o => o.Domains = ["test.local", "second.example"]);
        await server.AddUserAsync("me@second.example", "pw-me-1");

        var r = await ExternalTool.RunAsync("swaks", ["--server", "127.0.0.1", "--port", server.MxPort.ToString(),
            "--from", "test@domain.de", "--to", "me@second.example", "--header", "Subject: Testmail", "--body", "Testmails sind toll."]);
        Assert.True(r.ExitCode == 0, r.Output);

        var maildir = LocalMail.MaildirOf(server.DataDirectory, "me@second.example");
        var got = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(maildir)));
        Assert.Equal("Testmail", got.Subject);
        Assert.Contains("Testmails sind toll.", got.TextBody);
        Assert.Equal("me@second.example", got.Headers["Delivered-To"]);
        await LocalMail.WaitForEmptyQueueAsync(server);
    }

    [Fact]
    public async Task DomainAddedInTheDirectory_IsLocal_AndItsUsersGetMaildirs()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        Assert.True(await server.Directory.AddDomainAsync("added.example"));
        await server.AddUserAsync("carol@added.example", "pw-carol-1");

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "carol@added.example", "hi", "body"),
            "x@remote.example", "CAROL@Added.Example");

        var maildir = LocalMail.MaildirOf(server.DataDirectory, "carol@added.example");
        var got = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(maildir)));
        Assert.Equal("hi", got.Subject);
        await LocalMail.WaitForEmptyQueueAsync(server);
    }

    [Fact]
    public async Task SeveralRecipientsInOneMessage_EachGetsOneCopyWithTheirOwnDeliveredTo()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await server.AddUserAsync("carol@test.local", "pw-carol-1");

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "team@test.local", "both", "body"),
            "x@remote.example", "bob@test.local", "carol@test.local", "bob+dup@test.local");

        foreach (var user in new[] { "bob@test.local", "carol@test.local" })
        {
            var maildir = LocalMail.MaildirOf(server.DataDirectory, user);
            var got = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(maildir)));
            Assert.Equal(user, got.Headers["Delivered-To"]);
        }
        await LocalMail.WaitForEmptyQueueAsync(server);
        Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local")));
    }
}
