using Postbote.Core.Envelope;
using Postbote.Queue;

namespace Postbote.Smtpd.Tests;

/// <summary>Issue 11: BDAT skipped DATA's 8-bit detection, so 8-bit octets under a 7BIT body were queued as 7BIT.</summary>
public sealed class BdatBodyTypeTests
{
    [Theory]
    [InlineData("caf\u00e9\r\n", BodyType.EightBitMime)]
    [InlineData("cafe\r\n", BodyType.SevenBit)]
    public async Task Bdat_EightBitOctetsUnderA7BitBody_AreQueuedAs8BitMime_AsInData(string text, BodyType expected)
    {
        using var host = SessionHost.Create();
        var s = SessionUnderTest.Start(host);
        await s.GreetAsync();
        Assert.StartsWith("250 ", await s.CommandAsync("MAIL FROM:<a@client.example>"));
        Assert.StartsWith("250 ", await s.CommandAsync("RCPT TO:<b@example.org>"));
        var chunk = System.Text.Encoding.UTF8.GetBytes("Subject: 8\r\n\r\n" + text);
        await s.Client.SendAsync([.. System.Text.Encoding.ASCII.GetBytes($"BDAT {chunk.Length} LAST\r\n"), .. chunk]);
        Assert.StartsWith("250 2.0.0 Ok: queued as", (await s.Client.ReadReplyAsync())[^1]);
        Assert.Equal(expected, host.Spool.Load(Assert.Single(host.ActiveQueueIds()), QueueState.Active)!.Body);
    }
}
