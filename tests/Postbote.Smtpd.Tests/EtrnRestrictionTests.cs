namespace Postbote.Smtpd.Tests;

/// <summary>
/// Issue 11, ETRN: any authenticated user could force immediate retries of a whole domain's deferred mail, as
/// often as they liked, and learn how many messages wait for it. RFC 1985 §4 lets the server refuse (459) and
/// reply a plain "250 Queuing started".
/// </summary>
public sealed class EtrnRestrictionTests
{
    private sealed class CountingEtrn(int waiting) : IEtrnService
    {
        public int Calls;
        public ValueTask<int> StartDeliveryAsync(string domain, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            return ValueTask.FromResult(waiting);
        }
    }

    private static Dictionary<string, string> AuthOnPort25() =>
        new() { ["auth"] = "fake", ["mx-auth"] = "true", ["cleartext-auth"] = "true" };

    private static async Task<SessionUnderTest> AuthenticatedAsync(SessionHost host, SmtpServices services)
    {
        var s = SessionUnderTest.Start(host, services);
        await s.GreetAsync();
        Assert.StartsWith("235 ", await s.CommandAsync("AUTH PLAIN AGFsaWNlAHNlY3JldA=="));
        return s;
    }

    [Fact]
    public async Task Etrn_FromAnAuthenticatedUserOutsideTrustedNetworks_IsRefused459_ByDefault()
    {
        using var host = SessionHost.Create(AuthOnPort25());
        var etrn = new CountingEtrn(3);
        var s = await AuthenticatedAsync(host, SessionUnderTest.Services(host, etrn));
        Assert.Equal("459 4.7.1 <example.net>: service unavailable to this client", await s.CommandAsync("ETRN example.net"));
        Assert.Equal(0, etrn.Calls);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public async Task Etrn_FromAnAllowedAuthenticatedUser_RepliesPlainQueuingStarted_WithoutTheCount(int waiting)
    {
        using var host = SessionHost.Create(AuthOnPort25());
        host.Services.Options.Limits.EtrnFromAuthenticatedUsers = true;
        var etrn = new CountingEtrn(waiting);
        var s = await AuthenticatedAsync(host, SessionUnderTest.Services(host, etrn));
        Assert.Equal("250 2.0.0 Queuing started", await s.CommandAsync("ETRN example.net"));
        Assert.Equal(1, etrn.Calls);
    }

    [Fact]
    public async Task Etrn_FromATrustedClient_StillGetsTheCount()
    {
        using var host = SessionHost.Create(new Dictionary<string, string> { ["trusted"] = "198.51.100.0/24" });
        var s = SessionUnderTest.Start(host, SessionUnderTest.Services(host, new CountingEtrn(3)));
        await s.GreetAsync();
        Assert.Equal("250 2.0.0 Queuing started for example.net (3 messages)", await s.CommandAsync("ETRN example.net"));
    }

    [Fact]
    public async Task Etrn_RepeatedForTheSameDomainWithinTheMinimumInterval_Gets458_4_7_0_EvenFromANewConnection()
    {
        using var host = SessionHost.Create(new Dictionary<string, string> { ["trusted"] = "198.51.100.0/24" });
        var etrn = new CountingEtrn(3);
        var services = SessionUnderTest.Services(host, etrn);
        var s = SessionUnderTest.Start(host, services);
        await s.GreetAsync();
        Assert.StartsWith("250 2.0.0 Queuing started", await s.CommandAsync("ETRN example.net"));
        Assert.Equal("458 4.7.0 Error: too many ETRN requests, try again later", await s.CommandAsync("ETRN example.net"));
        Assert.StartsWith("221 ", await s.CommandAsync("QUIT"));

        var again = SessionUnderTest.Start(host, services);
        await again.GreetAsync();
        Assert.Equal("458 4.7.0 Error: too many ETRN requests, try again later", await again.CommandAsync("ETRN EXAMPLE.net"));
        Assert.Equal(1, etrn.Calls);
        // Another domain is another request (a secondary MX asks for each of its domains).
        Assert.StartsWith("250 2.0.0 Queuing started", await again.CommandAsync("ETRN example.com"));
        Assert.Equal(2, etrn.Calls);
        again.Time.Advance(TimeSpan.FromSeconds(61)); // Limits:EtrnMinimumInterval = 60 s
        Assert.StartsWith("250 2.0.0 Queuing started", await again.CommandAsync("ETRN example.net"));
        Assert.Equal(3, etrn.Calls);
    }
}
