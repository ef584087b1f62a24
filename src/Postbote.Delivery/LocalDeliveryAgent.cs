using Postbote.Core.Delivery;

namespace Postbote.Delivery;

/// <summary>
/// Local delivery: to Maildir by default, or over LMTP (e.g. to Dovecot) for the domains configured so.
/// Recipients arrive already expanded (aliases, plus-addressing) by the accept path.
/// </summary>
public sealed class LocalDeliveryAgent : IDeliveryAgent
{
    private readonly IDeliveryAgent _maildir;
    private readonly IDeliveryAgent? _lmtp;
    private readonly Func<string, bool> _useLmtp;

    public LocalDeliveryAgent(IDeliveryAgent maildir, IDeliveryAgent? lmtp, Func<string, bool> useLmtpForDomain)
    {
        _maildir = maildir;
        _lmtp = lmtp;
        _useLmtp = useLmtpForDomain;
    }

    public string Name => "local";

    public async Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Recipients.Count == 0)
            return Array.Empty<RecipientResult>();
        // The queue manager groups recipients by next hop, i.e. by domain: one transport serves the whole request.
        var first = request.Recipients[0].Address;
        var domain = first[(first.LastIndexOf('@') + 1)..].ToLowerInvariant();
        var agent = _lmtp is not null && _useLmtp(domain) ? _lmtp : _maildir;
        return await agent.DeliverAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
