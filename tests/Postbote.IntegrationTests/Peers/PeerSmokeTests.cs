using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Postbote.TestSupport.Peers;
using Xunit.Abstractions;

namespace Postbote.IntegrationTests.Peers;

/// <summary>Proves the third-party peers start privately on loopback and carry mail, before any
/// Postbote test relies on them. Each test passes without doing anything (and says why) when its
/// peer is not installed here: run scripts/install-test-deps.sh.</summary>
public sealed class PeerSmokeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PeerSmoke_Postfix_delivers_a_MailKit_message_into_its_maildir()
    {
        if (PostfixInstance.UnavailableReason is { } reason) Assert.Fail($"peer not available: {reason} (scripts/install-test-deps.sh installs it; run as root)");
        await using var postfix = PostfixInstance.FinalDestination("peer.test", "bob");
        await postfix.StartAsync();

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@sender.test"));
        message.To.Add(MailboxAddress.Parse("bob@peer.test"));
        message.Subject = "peer smoke";
        message.Body = new TextPart("plain") { Text = "hello from MailKit" };
        using (var smtp = new SmtpClient())
        {
            smtp.LocalDomain = "client.test";
            await smtp.ConnectAsync("127.0.0.1", postfix.Port, SecureSocketOptions.None);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(quit: true);
        }

        var files = await postfix.WaitForMessagesAsync("bob@peer.test", 1, Deadline);
        Assert.True(files.Count == 1, $"expected one delivery, log:\n{postfix.ReadMaillog()}");
        var delivered = await File.ReadAllTextAsync(files[0]);
        Assert.Contains("Subject: peer smoke", delivered);
        Assert.Contains("hello from MailKit", delivered);
        Assert.Contains("status=sent", postfix.ReadMaillog());
    }

    [Fact]
    public async Task PeerSmoke_Postfix_relays_to_SmtpSink()
    {
        if ((PostfixInstance.UnavailableReason ?? SmtpSink.UnavailableReason) is { } reason) Assert.Fail($"peer not available: {reason} (scripts/install-test-deps.sh installs it; run as root)");
        await using var sink = new SmtpSink();
        await sink.StartAsync();
        await using var postfix = PostfixInstance.RelayTo("relay.test", "127.0.0.1", sink.Port);
        await postfix.StartAsync();

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@sender.test"));
        message.To.Add(MailboxAddress.Parse("carol@relay.test"));
        message.Subject = "relay smoke";
        message.Body = new TextPart("plain") { Text = "through the relayhost" };
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync("127.0.0.1", postfix.Port, SecureSocketOptions.None);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(quit: true);
        }

        Assert.True(await sink.WaitForMessageCountAsync(1, Deadline), $"smtp-sink got nothing, log:\n{postfix.ReadMaillog()}");
        var dumped = sink.DumpedFiles();
        Assert.Single(dumped);
        Assert.Contains("X-Rcpt-Args: <carol@relay.test>", await File.ReadAllTextAsync(dumped[0]));
    }

    [Fact]
    public async Task PeerSmoke_Dovecot_accepts_LMTP_and_serves_it_over_IMAP()
    {
        if (DovecotInstance.UnavailableReason is { } reason) Assert.Fail($"peer not available: {reason} (scripts/install-test-deps.sh installs it; run as root)");
        await using var dovecot = new DovecotInstance();
        await dovecot.StartAsync();

        await DeliverByLmtpAsync(dovecot.LmtpPort, "alice@sender.test", dovecot.Address,
            "From: alice@sender.test\r\nTo: " + dovecot.Address + "\r\nSubject: lmtp smoke\r\n\r\n.leading dot\r\nbody\r\n");

        using var imap = new ImapClient();
        await imap.ConnectAsync("127.0.0.1", dovecot.ImapPort, SecureSocketOptions.None);
        await imap.AuthenticateAsync(dovecot.User, dovecot.Password);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(1, imap.Inbox.Count);
        var fetched = await imap.Inbox.GetMessageAsync(0);
        Assert.Equal("lmtp smoke", fetched.Subject);
        Assert.Contains(".leading dot", fetched.TextBody);
        await imap.DisconnectAsync(quit: true);
    }

    /// <summary>A plain LMTP dialogue (RFC 2033) over a socket: LHLO, MAIL, RCPT, DATA, QUIT.</summary>
    private static async Task DeliverByLmtpAsync(int port, string from, string to, string message)
    {
        using var client = new TcpClient();
        using var cts = new CancellationTokenSource(Deadline);
        await client.ConnectAsync("127.0.0.1", port, cts.Token);
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);

        async Task<string> ReplyAsync(string expectedCode)
        {
            string? line;
            var all = new StringBuilder();
            do
            {
                line = await reader.ReadLineAsync(cts.Token) ?? throw new IOException("LMTP server closed the connection");
                all.AppendLine(line);
            } while (line.Length > 3 && line[3] == '-');
            Assert.True(line.StartsWith(expectedCode, StringComparison.Ordinal), $"expected {expectedCode}, got: {all}");
            return all.ToString();
        }
        async Task SendAsync(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text), cts.Token);

        await ReplyAsync("220");
        await SendAsync("LHLO client.test\r\n");
        await ReplyAsync("250");
        await SendAsync($"MAIL FROM:<{from}>\r\n");
        await ReplyAsync("250");
        await SendAsync($"RCPT TO:<{to}>\r\n");
        await ReplyAsync("250");
        await SendAsync("DATA\r\n");
        await ReplyAsync("354");
        var stuffed = string.Join("\r\n", message.Split("\r\n").Select(l => l.StartsWith('.') ? "." + l : l));
        await SendAsync(stuffed + (stuffed.EndsWith("\r\n", StringComparison.Ordinal) ? "" : "\r\n") + ".\r\n");
        await ReplyAsync("250"); // one reply per accepted recipient (RFC 2033 section 4.2)
        await SendAsync("QUIT\r\n");
        await ReplyAsync("221");
    }
}
