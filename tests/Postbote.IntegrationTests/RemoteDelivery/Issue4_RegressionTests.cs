using MimeKit;
using Postbote.TestSupport;
using Postbote.IntegrationTests.Infrastructure;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.RemoteDelivery;

/// <summary>Bugs found end to end whose fix lies outside the delivery and queue files; each test fails until fixed.</summary>
public sealed class Issue4_RegressionTests
{
    [Fact]
    public async Task RemoteDelivery_DoubleBounce_ReachesThePostmasterMailbox_WhenTheHostnameIsNotALocalDomain()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { RcptReply = _ => "550 5.1.1 no such user" });
        using var dns = new TestDnsServer().AddMx("peer.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1").SetNxDomain("gone.test");
        await using var server = await StartServerAsync(dns, peer.Port);
        await server.AddUserAsync("postmaster@test.local", "Postmaster-pass-1");

        // The bounce to x@gone.test fails (NXDOMAIN): the postmaster gets the double bounce.
        await SubmitTrustedAsync(server, "x@gone.test", "bob@peer.test", Message("x@gone.test", "bob@peer.test", "double bounce"));

        var files = await LocalMailbox.WaitAsync(server, "postmaster");
        Assert.True(files.Count == 1, "no double bounce for the postmaster:\n" + Dump(server));
        var dsn = MimeMessage.Load(files[0]);
        Assert.IsType<MultipartReport>(dsn.Body);
    }

    [Fact]
    public async Task RemoteDelivery_EtrnWithAt_StartsDeliveryForSubdomains_Rfc1985()
    {
        var refusing = true;
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { RcptReply = _ => Volatile.Read(ref refusing) ? "451 4.3.0 later" : "250 2.1.5 Ok" });
        using var dns = new TestDnsServer().AddMx("sub.peer.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1");
        await using var server = await StartServerAsync(dns, peer.Port, o => o.Queue.MinimalBackoff = TimeSpan.FromHours(1));
        var id = await SubmitTrustedAsync(server, "a@client.test", "bob@sub.peer.test", Message("a@client.test", "bob@sub.peer.test", "ETRN @"));
        Assert.True(await PollAsync(() => Attempts(server, id).Count == 1), Dump(server));
        Volatile.Write(ref refusing, false);

        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort, ServerAddress))
        {
            await c.ReadAsync();
            await c.CommandAsync("EHLO client.test");
            Assert.StartsWith("250 ", await c.CommandAsync("ETRN @peer.test"));
        }
        Assert.True(await PollAsync(() => server.Queued().Count == 0, TimeSpan.FromSeconds(15)), Dump(server));
    }
}
