using Postbote.Core.Envelope;
using Postbote.Queue;

namespace Postbote.Smtpd.Tests;

/// <summary>
/// Issue 11, backscatter: RET=FULL (RFC 3461 §4.3) from a client that is neither authenticated nor trusted asks
/// us to mail a whole message back to a sender anyone can forge. Such a request is stored as RET=HDRS.
/// </summary>
public sealed class RetFullTests
{
    private static async Task<DsnReturn> QueuedReturnAsync(SessionHost host, string mailFrom, bool authenticate = false)
    {
        var s = SessionUnderTest.Start(host);
        await s.GreetAsync();
        if (authenticate) Assert.StartsWith("235 ", await s.CommandAsync("AUTH PLAIN AGFsaWNlAHNlY3JldA=="));
        Assert.Equal("250 2.1.0 Ok", await s.CommandAsync(mailFrom));
        Assert.StartsWith("250 ", await s.CommandAsync("RCPT TO:<b@example.org>"));
        Assert.StartsWith("354 ", await s.CommandAsync("DATA"));
        Assert.StartsWith("250 2.0.0 Ok: queued as", await s.CommandAsync("Subject: r\r\n\r\nbody\r\n."));
        var id = Assert.Single(host.ActiveQueueIds());
        return host.Spool.Load(id, QueueState.Active)!.Return;
    }

    [Fact]
    public async Task RetFull_FromAnUnauthenticatedUntrustedClient_IsStoredAsHeadersOnly()
    {
        using var host = SessionHost.Create();
        Assert.Equal(DsnReturn.Headers, await QueuedReturnAsync(host, "MAIL FROM:<a@client.example> RET=FULL"));
    }

    [Fact]
    public async Task RetFull_FromATrustedClient_IsKept()
    {
        using var host = SessionHost.Create(new Dictionary<string, string> { ["trusted"] = "198.51.100.0/24" });
        Assert.Equal(DsnReturn.Full, await QueuedReturnAsync(host, "MAIL FROM:<a@client.example> RET=FULL"));
    }

    [Fact]
    public async Task RetFull_FromAnAuthenticatedClient_IsKept()
    {
        using var host = SessionHost.Create(new Dictionary<string, string> { ["auth"] = "fake", ["mx-auth"] = "true", ["cleartext-auth"] = "true" });
        Assert.Equal(DsnReturn.Full, await QueuedReturnAsync(host, "MAIL FROM:<alice@example.org> RET=FULL", authenticate: true));
    }

    [Fact]
    public async Task RetHdrs_AndNoRet_AreLeftAsGiven()
    {
        using var host = SessionHost.Create();
        Assert.Equal(DsnReturn.Headers, await QueuedReturnAsync(host, "MAIL FROM:<a@client.example> RET=HDRS"));
        using var host2 = SessionHost.Create();
        Assert.Equal(DsnReturn.Unspecified, await QueuedReturnAsync(host2, "MAIL FROM:<a@client.example>"));
    }
}
