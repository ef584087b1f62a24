using Postbote.Admin;

namespace Postbote.IntegrationTests.Cli;

/// <summary>Issue 11: admin.sock let a peer through when SO_PEERCRED could not tell who it was (failed open).</summary>
public sealed class AdminSocketFailClosedTests
{
    [Fact]
    public void PeerWithoutCredentials_MayNotAdminister_FailsClosed()
    {
        Assert.False(PeerCredentials.MayAdminister(null));
        Assert.False(PeerCredentials.MayAdminister(new PeerCredentials(1, 65534, 65534)));
        Assert.True(PeerCredentials.MayAdminister(new PeerCredentials(1, 0, 0)));
        Assert.True(PeerCredentials.MayAdminister(new PeerCredentials(1, PeerCredentials.EffectiveUid, 0)));
    }
}
