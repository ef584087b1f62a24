using System.IO.Pipelines;
using System.Text;

namespace Postbote.Smtpd.Tests;

/// <summary>
/// Issue 11, "no write timeout": a client that pipelines and never reads, one that trickles its message, and
/// one that never ends its session must each be dropped within a bounded time, holding bounded memory.
/// </summary>
public sealed class SessionTimeLimitTests
{
    [Fact]
    public async Task PipelinedCommandsNeverRead_SessionIsDroppedAfterTheCommandTimeout_WithBoundedReplies()
    {
        using var host = SessionHost.Create(new Dictionary<string, string> { ["PendingReplyBytes"] = "4096" });
        // The client's side of the connection holds 16 KiB at most (a socket buffer), its input to us is unbounded.
        var s = SessionUnderTest.Start(host,
            toServer: new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0),
            toClient: new PipeOptions(pauseWriterThreshold: 16 * 1024, resumeWriterThreshold: 8 * 1024));
        var commands = "EHLO client.example\r\n" + string.Concat(Enumerable.Repeat("NOOP\r\n", 10_000));
        await s.Client.Pipe.Output.WriteAsync(Encoding.ASCII.GetBytes(commands));

        // Never read: the session must give up after CommandTimeout (5 min) of a flush that does not complete.
        Assert.True(await s.AdvanceUntilEndedAsync(TimeSpan.FromSeconds(30), 40), "session still pinned by a client that does not read");

        Assert.True(s.Client.Pipe.Input.TryRead(out var written));
        // What waited for the client: the pipe's 16 KiB plus at most one batch of PendingReplyBytes, not 10,000 replies.
        Assert.InRange(written.Buffer.Length, 1, 16 * 1024 + 4096 + 1024);
    }

    [Fact]
    public async Task PipelinedCommandsThenEndOfInput_AreAllAnswered_WhenRepliesGoOutInBatches()
    {
        using var host = SessionHost.Create(new Dictionary<string, string> { ["PendingReplyBytes"] = "1024" });
        var s = SessionUnderTest.Start(host, toServer: new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0));
        var commands = "EHLO client.example\r\n" + string.Concat(Enumerable.Repeat("NOOP\r\n", 2_000)) + "QUIT\r\n";
        await s.Client.Pipe.Output.WriteAsync(Encoding.ASCII.GetBytes(commands));
        await s.Client.Pipe.Output.CompleteAsync(); // the client is done sending before the first reply is read
        Assert.StartsWith("220 ", (await s.Client.ReadReplyAsync())[^1]);
        Assert.StartsWith("250 ", (await s.Client.ReadReplyAsync())[^1]);
        for (int i = 0; i < 2_000; i++) Assert.Equal("250 2.0.0 Ok", await s.Client.ReadLineAsync());
        Assert.Equal("221 2.0.0 Bye", await s.Client.ReadLineAsync());
        Assert.True(await s.WaitEndedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task DataTrickledBelowTheMinimumRate_Gets421_4_4_2_AndTheSessionEnds()
    {
        using var host = SessionHost.Create(); // MinDataRate 500 octets/s after a 30 s grace period
        var s = SessionUnderTest.Start(host, toServer: SessionUnderTest.Lockstep);
        await s.GreetAsync();
        Assert.StartsWith("250 ", await s.CommandAsync("MAIL FROM:<a@client.example>"));
        Assert.StartsWith("250 ", await s.CommandAsync("RCPT TO:<b@example.org>"));
        Assert.StartsWith("354 ", await s.CommandAsync("DATA"));

        // One octet every 5 s: each read comes well within DataTimeout (5 min), the average rate is 0.2 octets/s.
        Assert.True(await TrickleAsync(s), "a trickling client kept the session for 5 minutes");
        Assert.Equal("421 4.4.2 mx.example.org Error: data transfer too slow", await s.Client.ReadLineAsync());
        Assert.Null(await s.Client.ReadLineAsync());
        Assert.Empty(host.ActiveQueueIds());
    }

    [Fact]
    public async Task BdatChunkTrickledBelowTheMinimumRate_Gets421_4_4_2()
    {
        using var host = SessionHost.Create();
        var s = SessionUnderTest.Start(host, toServer: SessionUnderTest.Lockstep);
        await s.GreetAsync();
        Assert.StartsWith("250 ", await s.CommandAsync("MAIL FROM:<a@client.example>"));
        Assert.StartsWith("250 ", await s.CommandAsync("RCPT TO:<b@example.org>"));
        await s.Client.SendLineAsync("BDAT 100000 LAST");
        Assert.True(await TrickleAsync(s), "a trickling BDAT chunk kept the session for 5 minutes");
        Assert.Equal("421 4.4.2 mx.example.org Error: data transfer too slow", await s.Client.ReadLineAsync());
        Assert.Empty(host.ActiveQueueIds());
    }

    /// <summary>One octet every 5 s of the fake clock, for at most 5 minutes; true if the session ended.</summary>
    private static async Task<bool> TrickleAsync(SessionUnderTest s)
    {
        for (int i = 0; i < 60 && !s.Session.IsCompleted; i++)
        {
            await s.Client.SendAsync("x"u8.ToArray());
            s.Time.Advance(TimeSpan.FromSeconds(5));
            await s.WaitEndedAsync(TimeSpan.FromMilliseconds(50));
        }
        return await s.WaitEndedAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task DataAtAnHonestRate_IsNotCutOff()
    {
        using var host = SessionHost.Create(new Dictionary<string, string> { ["MinDataRate"] = "10" });
        var s = SessionUnderTest.Start(host, toServer: SessionUnderTest.Lockstep);
        await s.GreetAsync();
        Assert.StartsWith("250 ", await s.CommandAsync("MAIL FROM:<a@client.example>"));
        Assert.StartsWith("250 ", await s.CommandAsync("RCPT TO:<b@example.org>"));
        Assert.StartsWith("354 ", await s.CommandAsync("DATA"));
        // 100 octets every 5 s (20 octets/s, above 10) for 2 minutes.
        for (int i = 0; i < 24; i++)
        {
            await s.Client.SendAsync(Encoding.ASCII.GetBytes(new string('z', 98) + "\r\n"));
            s.Time.Advance(TimeSpan.FromSeconds(5));
        }
        Assert.StartsWith("250 2.0.0 Ok: queued as", await s.CommandAsync("."));
        Assert.Single(host.ActiveQueueIds());
    }

    [Fact]
    public async Task SessionTimeout_EndsASessionThatKeepsSendingCommands()
    {
        using var host = SessionHost.Create(new Dictionary<string, string> { ["SessionTimeout"] = "00:10:00" });
        var s = SessionUnderTest.Start(host);
        await s.GreetAsync();
        string? last = null;
        // A NOOP every 4 minutes: never idle for CommandTimeout (5 min), but over the 10 minutes allowed in all.
        for (int i = 0; i < 6; i++)
        {
            last = await s.CommandAsync("NOOP");
            if (!last.StartsWith("250 ", StringComparison.Ordinal)) break;
            s.Time.Advance(TimeSpan.FromMinutes(4));
            await s.WaitEndedAsync(TimeSpan.FromMilliseconds(100));
        }
        Assert.Equal("421 4.4.2 mx.example.org Error: session time limit exceeded", last);
        Assert.True(await s.WaitEndedAsync(TimeSpan.FromSeconds(5)));
    }
}
