using System.Text;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.Smtpd.Filters;

namespace Postbote.IntegrationTests.Filters;

/// <summary>
/// Issue 13 "rspamd over HTTP": a real rspamd (one private instance for the class) checks every message at the end
/// of data; its action and its milter headers are applied before the reply.
/// </summary>
public sealed class RspamdTests(RspamdInstance rspamd) : IClassFixture<RspamdInstance>
{
    private const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private Task<PostboteTestServer> StartAsync(Action<RspamdOptions>? configure = null)
    {
        Assert.True(rspamd.StartFailure is null, rspamd.StartFailure);
        return PostboteTestServer.StartAsync(o =>
        {
            o.Rspamd = new RspamdOptions { Url = rspamd.Url, Timeout = TimeSpan.FromSeconds(10) };
            configure?.Invoke(o.Rspamd);
        });
    }

    private static string Message(string subject, string body = "Hello,\r\nan ordinary message.\r\n") =>
        $"From: a@remote.example\r\nTo: bob@test.local\r\nSubject: {subject}\r\nX-Remove-Me: yes\r\n\r\n{body}";

    private static async Task<string> SendAsync(PostboteTestServer server, string message)
    {
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        return await MilterTests.SendAsync(c, message, "bob@test.local", "carol@test.local");
    }

    private static string Stored(PostboteTestServer server) => Encoding.UTF8.GetString(server.MessageBytes(Assert.Single(server.Queued()).QueueId));

    [RequiresFilesFact(RequiresFilesFactAttribute.Rspamd)]
    public async Task Gtube_IsRefusedWithRspamdsReply()
    {
        await using var server = await StartAsync();
        Assert.Equal("550 5.7.1 Gtube pattern", await SendAsync(server, Message("test", Gtube + "\r\n")));
        Assert.Empty(server.Queued());
        Assert.Contains(server.Log.Lines, l => l.Contains("rspamd: action=reject"));
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.Rspamd)]
    public async Task NormalMessage_IsQueued_CarryingRspamdsHeaders_WithOurQueueId()
    {
        await using var server = await StartAsync();
        Assert.StartsWith("250", await SendAsync(server, Message("hello")));
        var id = Assert.Single(server.Queued()).QueueId;
        var stored = Stored(server);
        Assert.True(stored.Contains("X-Spamd-Result: default: False"), stored);
        Assert.Contains($"X-Rspamd-Queue-Id: {id}\r\n", stored);
        Assert.Contains("From: a@remote.example\r\nTo: bob@test.local\r\nSubject: hello\r\nX-Remove-Me: yes\r\n", stored);
        Assert.EndsWith("\r\n\r\nHello,\r\nan ordinary message.\r\n", stored);
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.Rspamd)]
    public async Task MilterAddAndRemoveHeaders_AreApplied_AndRspamdSawEveryRecipient()
    {
        await using var server = await StartAsync();
        Assert.StartsWith("250", await SendAsync(server, Message("pb-milter")));
        var stored = Stored(server);
        Assert.Contains("X-Pb-Test: added by rspamd\r\n", stored);
        Assert.Contains("X-Pb-Rcpt: 2\r\n", stored);
        Assert.DoesNotContain("X-Remove-Me", stored);
        Assert.EndsWith("\r\n\r\nHello,\r\nan ordinary message.\r\n", stored);
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.Rspamd)]
    public async Task SoftReject_Is450_AndGreylist_Is451()
    {
        await using var server = await StartAsync();
        Assert.Equal("450 4.7.1 Postbote test says soft reject", await SendAsync(server, Message("pb-action: soft reject")));
        Assert.Equal("451 4.7.1 Postbote test says greylist", await SendAsync(server, Message("pb-action: greylist")));
        Assert.Empty(server.Queued());
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.Rspamd)]
    public async Task AddHeader_AddsXSpam()
    {
        await using var server = await StartAsync();
        Assert.StartsWith("250", await SendAsync(server, Message("pb-action: add header")));
        Assert.Contains("X-Spam: Yes\r\n", Stored(server));
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.Rspamd)]
    public async Task RewriteSubject_ChangesTheSubject()
    {
        await using var server = await StartAsync();
        Assert.StartsWith("250", await SendAsync(server, Message("pb-action: rewrite subject")));
        var stored = Stored(server);
        Assert.Contains("Subject: *** SPAM *** pb-action: rewrite subject\r\n", stored);
        Assert.Single(stored.Split("\r\n").Where(l => l.StartsWith("Subject:")));
    }

    [RequiresFilesFact(RequiresFilesFactAttribute.Rspamd)]
    public async Task Unreachable_DefaultActionDecides()
    {
        var url = $"http://127.0.0.1:{RspamdInstance.FreePort()}";
        await using (var server = await PostboteTestServer.StartAsync(o => o.Rspamd = new RspamdOptions { Url = url, DefaultAction = FilterFailureAction.Tempfail }))
        {
            Assert.Equal("451 4.7.1 Service unavailable - try again later", await SendAsync(server, Message("hello")));
            Assert.Contains(server.Log.Lines, line => line.Contains($"rspamd ({url}) failed") && line.Contains("default action Tempfail"));
        }
        await using (var server = await PostboteTestServer.StartAsync(o => o.Rspamd = new RspamdOptions { Url = url }))
        {
            Assert.StartsWith("250", await SendAsync(server, Message("hello")));
            Assert.Single(server.Queued());
        }
    }
}
