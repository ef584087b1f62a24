using Postbote.Queue;
using Postbote.Smtpd;

namespace Postbote.Hosting;

/// <summary>ETRN (RFC 1985) for the SMTP session, served by the queue manager.</summary>
public sealed class QueueEtrnService(QueueManager queue) : IEtrnService
{
    public ValueTask<int> StartDeliveryAsync(string domain, CancellationToken ct)
    {
        var result = queue.Etrn(domain);
        return ValueTask.FromResult(result.Outcome switch
        {
            EtrnOutcome.QueueingStarted => Math.Max(1, result.MessageCount),
            EtrnOutcome.NoMessages => 0,
            _ => -1,
        });
    }
}
