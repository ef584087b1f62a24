using System.Text;
using MailKit.Net.Smtp;
using MimeKit;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Security;

/// <summary>
/// Issue 11, sender binding on submission: an authenticated user may not send as someone else through the header
/// fields a reader sees (RFC 5322 §3.6: one From:, at most one Sender:), however the header section is shaped.
/// </summary>
public sealed class SenderBindingTests
{
    private const string User = "alice@test.local", Password = "pw-123456";

    private static string Plain(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    /// <summary>Submits <paramref name="header"/> (CRLF-separated fields) with a short body on 465; returns the end-of-data reply.</summary>
    private static async Task<string> SubmitAsync(PostboteTestServer server, string header)
    {
        await using var tls = await TlsSmtpClient.ConnectImplicitAsync(server.SubmissionsPort);
        await tls.ReadAsync();
        await tls.CommandLinesAsync("EHLO client.example");
        Assert.StartsWith("235", await tls.CommandAsync("AUTH PLAIN " + Plain(User, Password)));
        Assert.StartsWith("250", await tls.CommandAsync($"MAIL FROM:<{User}>"));
        Assert.StartsWith("250", await tls.CommandAsync("RCPT TO:<bob@far.example>"));
        Assert.StartsWith("354", await tls.CommandAsync("DATA"));
        return await tls.CommandAsync(header + "\r\nSubject: binding\r\n\r\nbody\r\n.");
    }

    private static async Task<PostboteTestServer> StartAsync()
    {
        var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync(User, Password);
        return server;
    }

    [Fact]
    public async Task TwoFromFields_OwnedThenForeign_AreRefused_550_5_6_0()
    {
        await using var server = await StartAsync();
        Assert.StartsWith("550 5.6.0", await SubmitAsync(server, $"From: {User}\r\nFrom: ceo@example.org"));
        Assert.StartsWith("550 5.6.0", await SubmitAsync(server, $"From: {User}\r\nFrom: {User}"));
        Assert.Empty(server.Queued());
    }

    [Fact]
    public async Task ObsoleteFromWithSpaceBeforeColon_ForeignAddress_IsRefused()
    {
        await using var server = await StartAsync();
        Assert.StartsWith("553 5.7.1", await SubmitAsync(server, "From : ceo@example.org"));
        Assert.StartsWith("553 5.7.1", await SubmitAsync(server, "from\t:ceo@example.org"));
        Assert.Empty(server.Queued());
    }

    [Fact]
    public async Task FromAfterA270000OctetPadField_ForeignAddress_IsRefused()
    {
        await using var server = await StartAsync();
        Assert.StartsWith("553 5.7.1", await SubmitAsync(server, "X-Pad: " + new string('a', 270_000) + "\r\nFrom: ceo@example.org"));
        Assert.StartsWith("250", await SubmitAsync(server, "X-Pad: " + new string('a', 270_000) + $"\r\nFrom: {User}"));
        Assert.Single(server.Queued());
    }

    [Fact]
    public async Task FromThatCannotBeJudged_NoMailboxOrTooLong_IsRefused_FailClosed()
    {
        await using var server = await StartAsync();
        Assert.StartsWith("550 5.6.0", await SubmitAsync(server, "From: undisclosed-recipients:;"));
        Assert.StartsWith("550 5.6.0", await SubmitAsync(server, "From: <<<not an address"));
        var longList = string.Join(",\r\n ", Enumerable.Repeat(User, 1000)); // 17 KiB of owned addresses: over the kept cap
        Assert.StartsWith("550 5.6.0", await SubmitAsync(server, "From: " + longList));
        Assert.Empty(server.Queued());
    }

    [Fact]
    public async Task SeveralAuthors_EachMustBeOwned_AndTheSenderField_Rfc5322_Section3_6_2()
    {
        await using var server = await StartAsync();
        await server.Directory.AddAliasAsync("team@test.local", [User]);
        Assert.StartsWith("553 5.7.1", await SubmitAsync(server, $"From: {User}, ceo@example.org\r\nSender: {User}"));
        Assert.StartsWith("553 5.7.1", await SubmitAsync(server, $"From: {User}\r\nSender: ceo@example.org"));
        Assert.StartsWith("550 5.6.0", await SubmitAsync(server, $"From: {User}\r\nSender: {User}\r\nSender: {User}"));
        Assert.StartsWith("250", await SubmitAsync(server, $"From: Alice <{User}>, Team <team@test.local>\r\nSender: {User}"));
        Assert.Single(server.Queued());
    }

    [Fact]
    public async Task MailKitClient_MessageWithTwoFromFields_IsRefused_OwnFromAccepted()
    {
        await using var server = await StartAsync();
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", server.SubmissionsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(User, Password);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(User));
        message.To.Add(MailboxAddress.Parse("bob@far.example"));
        message.Subject = "two authors";
        message.Body = new TextPart("plain") { Text = "hi" };
        message.Headers.Add(HeaderId.From, "ceo@example.org"); // a second From: field, as an attacker's client writes it
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(message));
        Assert.Equal(550, (int)refused.StatusCode);
        message.Headers.RemoveAll(HeaderId.From);
        message.From.Add(MailboxAddress.Parse(User));
        await client.SendAsync(message);
        Assert.Single(server.Queued());
    }
}
