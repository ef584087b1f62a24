using Postbote.Smtpd.RateLimiting;

namespace Postbote.Smtpd.Tests.RateLimiting;

/// <summary>Issue 13: the session's replies over a rate (Postfix's wording) at connect, MAIL, RCPT and STARTTLS.</summary>
public sealed class RateLimitSessionTests
{
    private static SmtpServices With(SessionHost host, RateLimitOptions limits) => new()
    {
        Options = host.Services.Options,
        Spool = host.Spool,
        LoggerFactory = host.Services.LoggerFactory,
        Time = host.Services.Time,
        Certificates = host.Services.Certificates,
        RateLimiter = new ClientRateLimiter(limits, host.Services.Options.TrustedNetworks, host.Services.Time),
    };

    [Fact]
    public async Task OverTheMessageRate_MailIsRefused450_471()
    {
        using var host = SessionHost.Create();
        var services = With(host, new RateLimitOptions { MessageRate = 2 });
        var s = SessionUnderTest.Start(host, services);
        await s.GreetAsync();
        for (int i = 0; i < 2; i++)
        {
            Assert.StartsWith("250", await s.CommandAsync("MAIL FROM:<a@remote.example>"));
            Assert.StartsWith("250", await s.CommandAsync("RSET"));
        }
        Assert.Equal("450 4.7.1 Error: too much mail from [198.51.100.7]", await s.CommandAsync("MAIL FROM:<a@remote.example>"));
    }

    [Fact]
    public async Task OverTheRecipientRate_RcptIsRefused450_471_AcrossSessions()
    {
        using var host = SessionHost.Create();
        var services = With(host, new RateLimitOptions { RecipientRate = 3 });
        var first = SessionUnderTest.Start(host, services);
        await first.GreetAsync();
        await first.CommandAsync("MAIL FROM:<a@remote.example>");
        for (int i = 0; i < 3; i++) Assert.StartsWith("250", await first.CommandAsync($"RCPT TO:<u{i}@example.org>"));
        await first.CommandAsync("QUIT");
        var second = SessionUnderTest.Start(host, services);
        await second.GreetAsync();
        await second.CommandAsync("MAIL FROM:<a@remote.example>");
        Assert.Equal("450 4.7.1 Error: too many recipients from [198.51.100.7]", await second.CommandAsync("RCPT TO:<u9@example.org>"));
    }

    [Fact]
    public async Task OverTheConnectionRate_Refused421_470_AtConnect_UntilTheWindowEnds()
    {
        using var host = SessionHost.Create();
        var services = With(host, new RateLimitOptions { ConnectionRate = 1 });
        var first = SessionUnderTest.Start(host, services);
        await first.GreetAsync();
        var second = SessionUnderTest.Start(host, services);
        Assert.Equal("421 4.7.0 Error: too many connections from [198.51.100.7]", (await second.Client.ReadReplyAsync())[^1]);
        Assert.True(await second.WaitEndedAsync(TimeSpan.FromSeconds(5)));
        first.Time.Advance(TimeSpan.FromSeconds(60));
        var third = SessionUnderTest.Start(host, services);
        await third.GreetAsync();
    }

    [Fact]
    public async Task OverTheNewTlsSessionRate_StartTlsIsRefused421_BeforeTheHandshake_AndTheConnectionCloses()
    {
        using var host = SessionHost.Create(tls: true);
        var services = With(host, new RateLimitOptions { NewTlsSessionRate = 1 });
        services.RateLimiter!.Record(host.Client.Address, RateLimitedEvent.NewTlsSession);
        var s = SessionUnderTest.Start(host, services);
        await s.GreetAsync();
        Assert.Equal("421 4.7.0 Error: too many new TLS sessions from [198.51.100.7]", await s.CommandAsync("STARTTLS"));
        Assert.True(await s.WaitEndedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task TrustedClients_AreNotLimited()
    {
        using var host = SessionHost.Create(new Dictionary<string, string> { ["trusted"] = "198.51.100.0/24" });
        var services = With(host, new RateLimitOptions { MessageRate = 1 });
        var s = SessionUnderTest.Start(host, services);
        await s.GreetAsync();
        for (int i = 0; i < 5; i++)
        {
            Assert.StartsWith("250", await s.CommandAsync("MAIL FROM:<a@remote.example>"));
            Assert.StartsWith("250", await s.CommandAsync("RSET"));
        }
    }
}
