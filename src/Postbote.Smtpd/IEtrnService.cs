namespace Postbote.Smtpd;

/// <summary>Starts delivery of the mail queued for a domain (RFC 1985 ETRN), implemented by the queue manager.</summary>
public interface IEtrnService
{
    /// <summary>Returns the number of messages queued for <paramref name="domain"/> whose delivery was started.</summary>
    ValueTask<int> StartDeliveryAsync(string domain, CancellationToken ct);
}
