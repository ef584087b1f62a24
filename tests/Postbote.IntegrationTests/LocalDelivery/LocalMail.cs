using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Postbote.Core.Envelope;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.Queue;
using Postbote.TestSupport.Peers;

namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>Shared steps of the local-delivery tests: sending with MailKit, Maildir paths, bounded polls.</summary>
internal static class LocalMail
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>The server with the queue manager running (the fixture defers delivery by default).</summary>
    public static Task<PostboteTestServer> StartDeliveringAsync(Action<Postbote.Configuration.PostboteOptions>? configure = null) =>
        PostboteTestServer.StartAsync(o =>
        {
            o.Queue.DeferDelivery = false;
            configure?.Invoke(o);
        });

    /// <summary>The default Maildir of a user: {DataDirectory}/mail/{domain}/{localpart}/Maildir.</summary>
    public static string MaildirOf(string dataDirectory, string address)
    {
        var at = address.LastIndexOf('@');
        return Path.Combine(dataDirectory, "mail", address[(at + 1)..].ToLowerInvariant(), address[..at].ToLowerInvariant(), "Maildir");
    }

    public static MimeMessage NewMessage(string from, string to, string subject, string body)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("client.example");
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    /// <summary>Sends on the MX port (no TLS, no AUTH) with an explicit envelope.</summary>
    public static async Task SendMxAsync(int port, MimeMessage message, string sender, params string[] recipients)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None).WaitAsync(Deadline);
        await client.SendAsync(message, MailboxAddress.Parse(sender), recipients.Select(MailboxAddress.Parse)).WaitAsync(Deadline);
        await client.DisconnectAsync(true).WaitAsync(Deadline);
    }

    /// <summary>Submits as an authenticated user: 587 with STARTTLS, or 465 with implicit TLS.</summary>
    public static async Task SubmitAsync(int port, bool implicitTls, string user, string password, MimeMessage message)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", port, implicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls).WaitAsync(Deadline);
        await client.AuthenticateAsync(user, password).WaitAsync(Deadline);
        await client.SendAsync(message).WaitAsync(Deadline);
        await client.DisconnectAsync(true).WaitAsync(Deadline);
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the deadline passes; returns whether it held.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Deadline);
        while (true)
        {
            if (condition()) return true;
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(25);
        }
    }

    /// <summary>Waits until exactly the expected message files are in new/ and cur/ of <paramref name="maildir"/>.</summary>
    public static async Task<IReadOnlyList<string>> WaitForMessagesAsync(string maildir, int count = 1)
    {
        var files = await PeerMaildir.WaitForMessagesAsync(maildir, count, Deadline);
        Assert.True(files.Count >= count, $"expected {count} message(s) in {maildir}, found {files.Count}");
        return files;
    }

    /// <summary>Waits until the active queue holds nothing (every recipient done and the message removed).</summary>
    public static async Task WaitForEmptyQueueAsync(PostboteTestServer server)
    {
        Assert.True(await WaitUntilAsync(server.IsSpoolEmpty),
            "the spool still holds: " + string.Join("; ", server.Queued().SelectMany(m => m.Recipients.Select(r => $"{m.QueueId} {r.Address} {r.State} {r.Status} {r.Diagnostic}"))));
    }

    /// <summary>Waits until some queued recipient matches <paramref name="predicate"/>; returns its message.</summary>
    public static async Task<QueuedMessage> WaitForRecipientAsync(PostboteTestServer server, Func<QueuedRecipient, bool> predicate)
    {
        QueuedMessage? found = null;
        var ok = await WaitUntilAsync(() => (found = server.Queued().FirstOrDefault(m => m.Recipients.Any(predicate))) is not null);
        Assert.True(ok, "no queued recipient matched; queue: " + string.Join("; ",
            server.Queued().SelectMany(m => m.Recipients.Select(r => $"{m.QueueId} {r.Address} {r.State} {r.Status} {r.Diagnostic}"))));
        return found!;
    }

    public static IReadOnlyList<string> AllMessageFiles(string maildir) => PeerMaildir.MessageFiles(maildir);

    public static MimeMessage Load(string path) => MimeMessage.Load(path);

    public static IReadOnlyList<string> TmpFiles(string maildir) =>
        System.IO.Directory.Exists(Path.Combine(maildir, "tmp")) ? System.IO.Directory.GetFiles(Path.Combine(maildir, "tmp")) : [];

    public static IEnumerable<QueuedMessage> AllStates(Spool spool) =>
        Enum.GetValues<QueueState>().SelectMany(s => spool.List(s));
}
