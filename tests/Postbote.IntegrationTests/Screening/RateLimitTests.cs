using Postbote.IntegrationTests.LocalDelivery;

namespace Postbote.IntegrationTests.Screening;

/// <summary>Issue 13: per-client rates on the real server, from several loopback source addresses.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task ConnectionRate_RefusesOnlyTheClientOverIt_421_AndLogsItOnce()
    {
        await using var server = await Infrastructure.PostboteTestServer.StartAsync(o => o.RateLimits.ConnectionRate = 3);
        for (int i = 0; i < 3; i++)
        {
            await using var ok = await SourceAddressConnection.ConnectAsync("127.0.0.2", server.MxPort);
            Assert.Equal("220 mx.test.local ESMTP Postbote", await ok.ReadReplyAsync());
            Assert.StartsWith("221", await ok.CommandAsync("QUIT"));
        }
        for (int i = 0; i < 3; i++)
        {
            await using var over = await SourceAddressConnection.ConnectAsync("127.0.0.2", server.MxPort);
            Assert.Equal("421 4.7.0 Error: too many connections from [127.0.0.2]", await over.ReadReplyAsync());
            Assert.Null(await over.ReadLineAsync());
        }
        foreach (var other in new[] { "127.0.0.3", "127.0.0.4" })
        {
            await using var c = await SourceAddressConnection.ConnectAsync(other, server.MxPort);
            Assert.Equal("220 mx.test.local ESMTP Postbote", await c.ReadReplyAsync());
        }
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("rate limit: [127.0.0.2]"))));
        Assert.Single(server.Log.Lines, l => l.Contains("rate limit: [127.0.0.2]"));
    }

    [Fact]
    public async Task MessageAndRecipientRates_AreCountedPerClient_450()
    {
        await using var server = await Infrastructure.PostboteTestServer.StartAsync(o =>
        {
            o.RateLimits.MessageRate = 2;
            o.RateLimits.RecipientRate = 2;
        });
        await using var a = await SourceAddressConnection.ConnectAsync("127.0.0.5", server.MxPort);
        await a.ReadReplyAsync();
        await a.CommandAsync("EHLO a.example");
        Assert.StartsWith("250", await a.CommandAsync("MAIL FROM:<a@remote.example>"));
        Assert.StartsWith("250", await a.CommandAsync("RCPT TO:<bob@test.local>"));
        Assert.StartsWith("250", await a.CommandAsync("RCPT TO:<carol@test.local>"));
        Assert.Equal("450 4.7.1 Error: too many recipients from [127.0.0.5]", await a.CommandAsync("RCPT TO:<dave@test.local>"));
        Assert.StartsWith("250", await a.CommandAsync("RSET"));
        Assert.StartsWith("250", await a.CommandAsync("MAIL FROM:<a@remote.example>"));
        Assert.StartsWith("250", await a.CommandAsync("RSET"));
        Assert.Equal("450 4.7.1 Error: too much mail from [127.0.0.5]", await a.CommandAsync("MAIL FROM:<a@remote.example>"));

        await using var b = await SourceAddressConnection.ConnectAsync("127.0.0.6", server.MxPort);
        await b.ReadReplyAsync();
        await b.CommandAsync("EHLO b.example");
        Assert.StartsWith("250", await b.CommandAsync("MAIL FROM:<b@remote.example>"));
        Assert.StartsWith("250", await b.CommandAsync("RCPT TO:<bob@test.local>"));
    }
}
