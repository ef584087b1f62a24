using Postbote.Core.Delivery;

namespace Postbote.Queue.Tests;

/// <summary>Routes domains listed as local to local:domain, everything else to mx:domain; agents by next-hop key.</summary>
internal sealed class FakeRouter : IDeliveryRouter
{
    public HashSet<string> LocalDomains { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, IDeliveryAgent> Agents { get; } = new(StringComparer.Ordinal);

    public ValueTask<NextHop> RouteAsync(string recipient, CancellationToken cancellationToken)
    {
        string domain = recipient[(recipient.LastIndexOf('@') + 1)..];
        return ValueTask.FromResult(LocalDomains.Contains(domain) ? NextHop.Local(domain) : NextHop.Mx(domain));
    }

    public IDeliveryAgent? GetAgent(NextHop nextHop) => Agents.GetValueOrDefault(nextHop.Key);
}
