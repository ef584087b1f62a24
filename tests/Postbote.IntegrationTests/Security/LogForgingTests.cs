using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Postbote.Hosting;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.Security;

/// <summary>
/// Log forging: client text (a HELO name) and peer text (a remote reply) reach log lines as they came. journald ends
/// a line at a NUL and reads a following "&lt;N&gt;" as the priority of a new entry; a terminal obeys ESC sequences.
/// The log writer escapes every control character, whatever the message.
/// </summary>
public sealed class LogForgingTests
{
    private const string Forgery = "\0<0>postbote:forged-emergency\u001b[2J\u000b\u007f\u009b";

    /// <summary>The bytes the server's log writer produces for these messages, as under systemd.</summary>
    private static byte[] Written(IEnumerable<string> messages)
    {
        var output = new MemoryStream();
        using (var provider = new BufferedConsoleLoggerProvider(output, systemd: true, new FakeTimeProvider()))
        {
            var log = provider.CreateLogger("Postbote.MailLog");
            foreach (var m in messages) log.Log(LogLevel.Warning, new EventId(1), m, null, (s, _) => s);
        }
        return output.ToArray();
    }

    private static void AssertNoForgedLine(byte[] written, int lines)
    {
        var text = Encoding.UTF8.GetString(written);
        var split = text.TrimEnd('\n').Split('\n');
        Assert.Equal(lines, split.Length);
        Assert.All(split, l => Assert.StartsWith("<4>Postbote.MailLog[1] ", l));
        Assert.All(split, l => Assert.False(l.AsSpan().ContainsAnyInRange('\0', '\u001f'), "raw C0 control written: " + l));
        Assert.False(text.AsSpan().ContainsAny('\u007f', '\u009b'), "raw DEL or C1 control written: " + text);
        Assert.Contains("\\x00<0>postbote:forged-emergency\\x1B[2J\\x0B\\x7F\\x9B", text);
    }

    [Fact]
    public void Log_writer_escapes_NUL_ESC_VT_DEL_and_C1_so_no_journald_entry_or_priority_is_forged()
    {
        var written = Written(["reject: helo=<a" + Forgery + ">", "to=<b@x>, status=bounced (550 5.1.1 no" + Forgery + ")"]);
        AssertNoForgedLine(written, 2);
    }

    [Fact]
    public void Log_line_without_control_characters_is_written_unchanged()
    {
        var line = "4F3K2Q1ZABCD: to=<bob@example.net>, relay=mx.example.net[192.0.2.7]:25, dsn=2.0.0, status=sent (250 2.0.0 Ok) \\x00 is text";
        Assert.Equal("<4>Postbote.MailLog[1] " + line + "\n", Encoding.UTF8.GetString(Written([line])));
    }

    [Fact]
    public async Task Helo_name_with_NUL_ESC_and_VT_does_not_forge_a_log_line()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            Assert.StartsWith("220 ", await c.ReadAsync());
            await c.SendLineAsync("HELO a" + Forgery);
            await c.ReadReplyAsync();
            await c.CommandAsync("MAIL FROM:<x@example.net>");
            Assert.StartsWith("554", await c.CommandAsync("RCPT TO:<y@elsewhere.example>"));
            await c.CommandAsync("QUIT");
        }
        Assert.True(await PollAsync(() => server.Log.Lines.Any(l => l.Contains("forged-emergency", StringComparison.Ordinal))),
            "the HELO name reached no log line:\n" + Dump(server));
        var logged = server.Log.Lines.Where(l => l.Contains("forged-emergency", StringComparison.Ordinal)).ToList();
        Assert.Contains(logged, l => l.Contains(Forgery, StringComparison.Ordinal)); // raw in the message: the writer must escape it
        AssertNoForgedLine(Written(logged), logged.Count);
    }

    [Fact]
    public async Task Remote_reply_with_a_NUL_does_not_forge_a_log_line()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { RcptReply = _ => "550 5.1.1 no such user" + Forgery });
        using var dns = new TestDnsServer().AddMx("peer.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1");
        await using var server = await StartServerAsync(dns, peer.Port);

        var id = await SubmitTrustedAsync(server, "sender@example.net", "bob@peer.test", Message("sender@example.net", "bob@peer.test", "forged reply"));
        Assert.True(await PollAsync(() => Attempts(server, id).Count > 0), "no attempt logged:\n" + Dump(server));
        var logged = server.Log.Lines.Where(l => l.Contains("forged-emergency", StringComparison.Ordinal)).ToList();
        Assert.True(logged.Count > 0, "the remote reply reached no log line:\n" + Dump(server));
        AssertNoForgedLine(Written(logged), logged.Count);
    }
}
