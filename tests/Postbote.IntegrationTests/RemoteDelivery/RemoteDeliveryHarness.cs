using System.Text;
using System.Text.RegularExpressions;
using Postbote.Configuration;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;

namespace Postbote.IntegrationTests.RemoteDelivery;

/// <summary>
/// Shared steps of the remote-delivery tests: a Postbote server with delivery on and DNS pointed at a
/// <see cref="TestDnsServer"/>, a trusted-network submission with exact bytes, bounded polls, and the mail log.
/// </summary>
internal static partial class RemoteDeliveryHarness
{
    /// <summary>The upper bound of every wait in these tests; a passing test is far quicker.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The address the server under test listens on. Not 127.0.0.1, where the peers listen: the server counts its
    /// listener addresses as "myself" for MX loop detection whatever the port (see
    /// LoopTests.MxOnOwnAddressButAnotherPort_IsNotALoop), so a peer on its address would be a mail loop.
    /// </summary>
    public const string ServerAddress = "127.0.0.2";

    /// <summary>
    /// Starts the real server with delivery on: listeners on <see cref="ServerAddress"/>, DNS from <paramref name="dns"/>,
    /// MX hosts on <paramref name="peerPort"/>, no STARTTLS to peers (Postfix and smtp-sink here have no certificate),
    /// loopback trusted for relay and ETRN.
    /// </summary>
    public static Task<PostboteTestServer> StartServerAsync(TestDnsServer dns, int peerPort, Action<PostboteOptions>? more = null)
        => PostboteTestServer.StartAsync(o =>
        {
            foreach (var l in o.Listeners!) l.Endpoint = ServerAddress + ":0";
            o.Queue.DeferDelivery = false;
            o.Dns.Servers = new[] { dns.Endpoint };
            o.Dns.Timeout = TimeSpan.FromSeconds(2);
            o.Delivery.Port = peerPort;
            o.Delivery.Tls.Level = "none";
            o.TrustedNetworks = new[] { "127.0.0.0/8" };
            more?.Invoke(o);
        });

    /// <summary>The message as a client sends it in DATA (before dot-stuffing): a dot line and a UTF-8 line to prove byte-exactness;
    /// complete (Date:, Message-ID:), so that Postfix, which adds missing headers for loopback clients, leaves it as is.</summary>
    public static string Message(string from, string to, string subject) =>
        $"Date: Fri, 28 Nov 2025 12:00:00 +0100\r\nFrom: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@client.test>\r\n" +
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
        "Line one.\r\n.a line that starts with a dot\r\n..two dots\r\nGrüße aus Köln, ÄÖÜ ß\r\n\r\nlast line\r\n";

    /// <summary>
    /// Sends one message on the MX port from 127.0.0.1 (a trusted network, so relaying is allowed) with exact
    /// bytes, dot-stuffing done here; returns the queue id.
    /// </summary>
    public static async Task<string> SubmitTrustedAsync(PostboteTestServer server, string from, string to, string message, string mailParameters = " BODY=8BITMIME")
    {
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort, ServerAddress);
        Assert.StartsWith("220 ", await c.ReadAsync());
        await c.SendLineAsync("EHLO client.test");
        await c.ReadReplyAsync();
        Assert.StartsWith("250", await c.CommandAsync($"MAIL FROM:<{from}>{mailParameters}"));
        var rcpt = await c.CommandAsync($"RCPT TO:<{to}>");
        Assert.True(rcpt.StartsWith("250", StringComparison.Ordinal), rcpt);
        Assert.StartsWith("354", await c.CommandAsync("DATA"));
        var stuffed = string.Join("\r\n", message.Split("\r\n").Select(l => l.StartsWith('.') ? "." + l : l));
        await c.SendAsync(stuffed + ".\r\n");
        var queued = await c.ReadAsync();
        Assert.Matches(@"^250 2\.0\.0 Ok: queued as [0-9A-Z]{12}$", queued);
        await c.CommandAsync("QUIT");
        return queued[^12..];
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; true if it held.</summary>
    public static async Task<bool> PollAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Deadline);
        while (true)
        {
            if (condition()) return true;
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(25);
        }
    }

    /// <summary>The mail log's lines (logger category Postbote.MailLog), without the level and category prefix.</summary>
    public static IReadOnlyList<string> MailLog(PostboteTestServer server) =>
        server.Log.Lines.Where(l => l.Contains(" Postbote.MailLog: ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(" Postbote.MailLog: ", StringComparison.Ordinal) + 19)..]).ToList();

    /// <summary>The delivery-attempt lines of one message ("ID: to=&lt;...&gt;, relay=...").</summary>
    public static IReadOnlyList<string> Attempts(PostboteTestServer server, string queueId) =>
        MailLog(server).Where(l => l.StartsWith(queueId + ": to=<", StringComparison.Ordinal)).ToList();

    /// <summary>Everything the server logged, for failure messages.</summary>
    public static string Dump(PostboteTestServer server) => string.Join("\n", server.Log.Lines);

    /// <summary>A delivery-attempt line in Postfix's shape: queue id, recipient, relay host[ip]:port, for SMTP sessions the TLS outcome
    /// (tls=none, or tls=verified|opportunistic with protocol and cipher), delay, dsn, status, reply.</summary>
    [GeneratedRegex(@"^(?<id>[0-9A-Z]{12}): to=<(?<to>[^>]+)>, relay=(?<relay>\S+), (?:tls=(?<tls>[a-z-]+)(?:, protocol=(?<protocol>TLSv1\.[23]), cipher=(?<cipher>TLS_\w+))?, )?delay=(?<delay>[0-9.]+), dsn=(?<dsn>[245]\.\d{1,3}\.\d{1,3}), status=(?<status>sent|deferred|bounced|expired) \((?<reply>.*)\)$")]
    public static partial Regex AttemptLine();

    /// <summary>CRLF to LF: Postfix stores Maildir files with LF line ends.</summary>
    public static string Lf(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal);

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}

/// <summary>Reading the DSNs that the server delivers to a local sender's Maildir.</summary>
internal static class LocalMailbox
{
    /// <summary>The Maildir of a local user of the test server (LocalDelivery:MaildirPath's default).</summary>
    public static string MaildirOf(PostboteTestServer server, string localPart) =>
        Path.Combine(server.DataDirectory, "mail", PostboteTestServer.Domain, localPart, "Maildir");

    /// <summary>Waits (bounded) for <paramref name="count"/> messages in the user's INBOX (new/ and cur/).</summary>
    public static Task<IReadOnlyList<string>> WaitAsync(PostboteTestServer server, string localPart, int count = 1) =>
        Postbote.TestSupport.Peers.PeerMaildir.WaitForMessagesAsync(MaildirOf(server, localPart), count, RemoteDeliveryHarness.Deadline);
}
