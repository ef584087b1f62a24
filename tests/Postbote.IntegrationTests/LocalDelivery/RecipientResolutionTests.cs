using Postbote.Core.Envelope;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>Aliases, catch-all, plus-addressing, loops, unknown users and postmaster@, over SMTP into Maildirs (issue 5).</summary>
public sealed class RecipientResolutionTests
{
    [Fact]
    public async Task AliasToALocalUser_DeliversToTheUser_WithDeliveredToOfTheMailbox()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await server.Directory.AddAliasAsync("info@test.local", ["bob@test.local"]);

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "info@test.local", "via alias", "b"),
            "x@remote.example", "info@test.local");

        var got = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"))));
        Assert.Equal("via alias", got.Subject);
        Assert.Equal("bob@test.local", got.Headers["Delivered-To"]);
        Assert.False(System.IO.Directory.Exists(LocalMail.MaildirOf(server.DataDirectory, "info@test.local")));
        await LocalMail.WaitForEmptyQueueAsync(server);
    }

    [Fact]
    public async Task AliasToSeveralTargets_LocalCopiesDelivered_ExternalTargetStaysQueued()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await server.AddUserAsync("carol@test.local", "pw-carol-1");
        await server.Directory.AddAliasAsync("team@test.local", ["bob@test.local", "carol@test.local", "dave@external.example"]);

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "team@test.local", "to the team", "b"),
            "x@remote.example", "team@test.local");

        foreach (var user in new[] { "bob@test.local", "carol@test.local" })
        {
            var got = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, user))));
            Assert.Equal("to the team", got.Subject);
            Assert.Equal(user, got.Headers["Delivered-To"]);
        }

        // The external target cannot be delivered here (DNS points nowhere): it stays in the queue, deferred,
        // while the local copies are recorded as delivered so a retry never duplicates them.
        var env = await LocalMail.WaitForRecipientAsync(server, r => r.Address == "dave@external.example" && r.Attempts > 0);
        Assert.Equal(3, env.Recipients.Count);
        Assert.All(env.Recipients, r => Assert.Equal("team@test.local", r.OriginalAddress));
        Assert.Equal(RecipientState.Pending, env.Recipients.Single(r => r.Address == "dave@external.example").State);
        Assert.StartsWith("4.", env.Recipients.Single(r => r.Address == "dave@external.example").Status);
        Assert.All(env.Recipients.Where(r => r.Address.EndsWith("@test.local")), r => Assert.Equal(RecipientState.Delivered, r.State));
    }

    [Fact]
    public async Task CatchAll_TakesUnknownLocalParts_ButAnExistingUserKeepsTheirMail()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await server.AddUserAsync("carol@test.local", "pw-carol-1");
        await server.Directory.AddAliasAsync("@test.local", ["bob@test.local"]);

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "whoever@test.local", "caught", "b"),
            "x@remote.example", "whoever@test.local");
        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "carol@test.local", "for carol", "b"),
            "x@remote.example", "carol@test.local");

        var bob = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"))));
        Assert.Equal("caught", bob.Subject);
        var carol = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "carol@test.local"))));
        Assert.Equal("for carol", carol.Subject);
        await LocalMail.WaitForEmptyQueueAsync(server);
        Assert.Single(LocalMail.AllMessageFiles(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local")));
    }

    [Fact]
    public async Task PlusAddressing_UserPlusTag_DeliversToUser()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await server.AddUserAsync("other@test.local", "pw-other-1");

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "bob+news@test.local", "tagged", "b"),
            "x@remote.example", "bob+news@test.local");

        var got = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"))));
        Assert.Equal("tagged", got.Subject);
        Assert.Equal("bob@test.local", got.Headers["Delivered-To"]);
        Assert.False(System.IO.Directory.Exists(LocalMail.MaildirOf(server.DataDirectory, "bob+news@test.local")));
        await LocalMail.WaitForEmptyQueueAsync(server);
    }

    [Fact]
    public async Task RcptChecks_UnknownUser550_AliasLoopRefused_PostmasterAlwaysAccepted()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await server.Directory.AddAliasAsync("ping@test.local", ["pong@test.local"]);
        await server.Directory.AddAliasAsync("pong@test.local", ["ping@test.local"]);

        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        await c.ReadAsync();
        await c.CommandAsync("EHLO client.example");
        Assert.Equal("250 2.1.0 Ok", await c.CommandAsync("MAIL FROM:<x@remote.example>"));
        Assert.Matches(@"^550 5\.1\.1 ", await c.CommandAsync("RCPT TO:<nobody@test.local>"));
        Assert.Matches(@"^550 5\.4\.6 ", await c.CommandAsync("RCPT TO:<ping@test.local>"));
        Assert.Matches(@"^550 5\.1\.1 ", await c.CommandAsync("RCPT TO:<nobody+tag@test.local>"));
        Assert.Equal("250 2.1.5 Ok", await c.CommandAsync("RCPT TO:<postmaster@test.local>"));
        Assert.Equal("250 2.1.5 Ok", await c.CommandAsync("RCPT TO:<Postmaster@test.local>"));
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await c.CommandAsync("DATA"));
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as ", await c.CommandAsync("From: x@remote.example\r\nSubject: to the postmaster\r\n\r\nhello\r\n."));
        await c.CommandAsync("QUIT");

        await LocalMail.WaitForEmptyQueueAsync(server);
        var got = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "postmaster@test.local"))));
        Assert.Equal("to the postmaster", got.Subject);
        Assert.Empty(LocalMail.AllMessageFiles(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local")));
    }

    [Fact]
    public async Task PostmasterAliasedToAUser_ReachesTheUser()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("admin@test.local", "pw-admin-1");
        await server.Directory.AddAliasAsync("postmaster@test.local", ["admin@test.local"]);

        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "postmaster@test.local", "pm", "b"),
            "x@remote.example", "postmaster@test.local");

        var got = LocalMail.Load(Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, "admin@test.local"))));
        Assert.Equal("admin@test.local", got.Headers["Delivered-To"]);
        await LocalMail.WaitForEmptyQueueAsync(server);
    }

    [Fact]
    public async Task RcptToBarePostmaster_WithoutDomain_IsAccepted_Rfc5321Section4_5_1()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        await c.ReadAsync();
        await c.CommandAsync("EHLO client.example");
        Assert.Equal("250 2.1.0 Ok", await c.CommandAsync("MAIL FROM:<x@remote.example>"));
        Assert.Equal("250 2.1.5 Ok", await c.CommandAsync("RCPT TO:<Postmaster>"));
    }
}
