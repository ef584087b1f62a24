namespace Postbote.Smtpd.Tests;

/// <summary>
/// Postfix's smtpd_soft_error_limit / smtpd_error_sleep_time / smtpd_hard_error_limit: after Limits:SoftErrorLimit
/// errors each reply waits Limits:ErrorSleepTime on the session's clock (a fake one here: no real sleep), and at
/// Limits:ErrorsPerSession the session ends with 421 4.7.0.
/// </summary>
public sealed class TarpitTests
{
    private static SessionHost Host(string soft = "3", string hard = "6") => SessionHost.Create(new Dictionary<string, string>
    {
        ["SoftErrorLimit"] = soft,
        ["ErrorsPerSession"] = hard,
        ["ErrorSleepTime"] = "00:00:01",
    });

    [Fact]
    public async Task AfterTheSoftLimit_EachReplyWaitsTheSleepTime_OnTheClock()
    {
        using var host = Host();
        var s = SessionUnderTest.Start(host);
        Assert.StartsWith("220 ", (await s.Client.ReadReplyAsync())[^1]);
        for (int i = 0; i < 3; i++) Assert.StartsWith("503 5.5.1", await s.CommandAsync("MAIL FROM:<a@client.example>"));

        await s.Client.SendLineAsync("NOOP");
        var reply = s.Client.ReadReplyAsync();
        // The clock moves 100 ms at a time (at most 50 steps): the answer may come only once a whole second has passed.
        var advanced = TimeSpan.Zero;
        for (int i = 0; i < 50 && !reply.IsCompleted; i++)
        {
            await Task.WhenAny(reply, Task.Delay(20));
            if (reply.IsCompleted) break;
            s.Time.Advance(TimeSpan.FromMilliseconds(100));
            advanced += TimeSpan.FromMilliseconds(100);
        }
        Assert.Equal("250 2.0.0 Ok", (await reply)[^1]);
        Assert.True(advanced >= TimeSpan.FromSeconds(1), $"answered after {advanced.TotalMilliseconds} ms of the clock");
    }

    [Fact]
    public async Task AtTheHardLimit_TheSessionEnds421()
    {
        using var host = Host(soft: "10", hard: "4");
        var s = SessionUnderTest.Start(host);
        await s.Client.ReadReplyAsync();
        for (int i = 0; i < 3; i++) Assert.StartsWith("503 5.5.1", await s.CommandAsync("RCPT TO:<b@example.org>"));
        await s.Client.SendLineAsync("RCPT TO:<b@example.org>");
        var lines = await s.Client.ReadReplyAsync();
        Assert.StartsWith("503 5.5.1", lines[^1]);
        Assert.Equal("421 4.7.0 Too many errors, closing connection", (await s.Client.ReadReplyAsync())[^1]);
        Assert.True(await s.WaitEndedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Settings_AreValidated_NamingTheKey()
    {
        var problems = new SmtpdLimits { SoftErrorLimit = 0, ErrorSleepTime = TimeSpan.FromMinutes(2) }.Validate().ToList();
        Assert.Contains(problems, p => p.StartsWith("Limits:SoftErrorLimit"));
        Assert.Contains(problems, p => p.StartsWith("Limits:ErrorSleepTime"));
    }
}
