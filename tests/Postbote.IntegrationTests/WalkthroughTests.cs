using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests;

/// <summary>The walk-through's telnet dialogues, exchange by exchange, against the real server on loopback.</summary>
public sealed class WalkthroughTests
{
    [Fact]
    public async Task Port25Dialogue_AnswersAsTheWalkthroughShows_AndTheMessageIsQueued()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.Equal("220 mx.test.local ESMTP Postbote", await c.ReadAsync());
        await c.SendLineAsync("EHLO michael.client.de");
        var ehlo = await c.ReadReplyAsync();
        Assert.Equal("250-mx.test.local", ehlo[0]);
        foreach (var ext in new[] { "PIPELINING", "STARTTLS", "SIZE 52428800", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN" })
            Assert.Contains(ehlo, l => l[4..] == ext);
        Assert.StartsWith("250 ", ehlo[^1]);
        Assert.DoesNotContain(ehlo, l => l.Contains("AUTH")); // port 25 offers no AUTH, and never before TLS
        Assert.Equal("250 2.1.0 Ok", await c.CommandAsync("MAIL FROM: test@domain.de"));
        Assert.Equal("250 2.1.5 Ok", await c.CommandAsync("RCPT TO: XXX@test.local"));
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await c.CommandAsync("DATA"));
        await c.SendAsync("From: bill@microsoft.com\r\nTo: empfaenger@domain.de\r\nSubject: Testmail\r\n\r\n" +
                          "Testmails sind toll, diese hier ist eine ganz einfache, ohne HTML, ohne Anhänge usw.\r\n.\r\n");
        var queued = await c.ReadAsync();
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as [0-9A-Z]{12}$", queued);
        Assert.Equal("221 2.0.0 Bye", await c.CommandAsync("quit"));
        Assert.True(await c.IsClosedAsync());

        var id = queued[^12..];
        var env = Assert.Single(server.Queued());
        Assert.Equal(id, env.QueueId);
        Assert.Equal("test@domain.de", env.ReversePath);
        Assert.Equal("XXX@test.local", Assert.Single(env.Recipients).Address);
        var text = System.Text.Encoding.UTF8.GetString(server.MessageBytes(id));
        Assert.StartsWith("Received: from michael.client.de (unknown [127.0.0.1])\r\n\tby mx.test.local (Postbote) with ESMTP id " + id, text);
        Assert.EndsWith("From: bill@microsoft.com\r\nTo: empfaenger@domain.de\r\nSubject: Testmail\r\n\r\nTestmails sind toll, diese hier ist eine ganz einfache, ohne HTML, ohne Anhänge usw.\r\n", text);
    }

    [Fact]
    public async Task Submission_AuthLoginExchange_IsExactlyTheWalkthroughs()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync("haha@test.local", "meinpasswort");
        await using var tls = await TlsSmtpClient.ConnectImplicitAsync(server.SubmissionsPort);
        Assert.Equal("220 mx.test.local ESMTP Postbote", await tls.ReadAsync());
        var ehlo = await tls.CommandLinesAsync("EHLO michael.client.de");
        Assert.Contains("250-AUTH PLAIN LOGIN SCRAM-SHA-256 SCRAM-SHA-1", ehlo);
        Assert.Equal("334 VXNlcm5hbWU6", await tls.CommandAsync("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await tls.CommandAsync("aGFoYUB0ZXN0LmxvY2Fs")); // haha@test.local
        Assert.Equal("235 2.7.0 Authentication successful", await tls.CommandAsync("bWVpbnBhc3N3b3J0")); // meinpasswort
        Assert.Equal("250 2.1.0 Ok", await tls.CommandAsync("MAIL FROM: haha@test.local"));
        Assert.Equal("250 2.1.5 Ok", await tls.CommandAsync("RCPT TO: irgendwen@dadraussen.de"));
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await tls.CommandAsync("DATA"));
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as [0-9A-Z]{12}$", await tls.CommandAsync(
            "From: haha@test.local\r\nTo: irgendwen@dadraussen.de\r\nSubject: Testmail\r\n\r\nTestmails sind toll.\r\n."));
        Assert.Equal("221 2.0.0 Bye", await tls.CommandAsync("quit"));
        var env = Assert.Single(server.Queued());
        Assert.Equal("ESMTPSA", env.Protocol);
        Assert.Equal("haha@test.local", env.AuthenticatedUser);
    }

    [Fact]
    public async Task AuthPlain_WithInitialResponse_AsTheWalkthroughSendsIt_LowerCase()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync("email@test.local", "GeheimPasswortHier");
        await using var tls = await TlsSmtpClient.ConnectImplicitAsync(server.SubmissionsPort);
        await tls.ReadAsync();
        await tls.CommandLinesAsync("EHLO michael.client.de");
        var initial = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("\0email@test.local\0GeheimPasswortHier"));
        Assert.Equal("235 2.7.0 Authentication successful", await tls.CommandAsync("auth plain " + initial));
    }
}
