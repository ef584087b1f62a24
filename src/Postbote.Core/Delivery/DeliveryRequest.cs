using Postbote.Core.Envelope;

namespace Postbote.Core.Delivery;

/// <summary>
/// One message to deliver to some recipients of one next hop. The agent knows nothing of the spool:
/// it reads the message through <see cref="OpenMessage"/>, which yields the exact stored bytes
/// (CRLF line ends, no dot-stuffing), including any headers the queue prepends at delivery. <c>Folder</c> names the
/// Maildir++ folder a local delivery files into (a quarantine: "Junk"); agents that cannot choose one ignore it.
/// </summary>
public sealed record DeliveryRequest(
    string QueueId,
    string ReversePath,
    IReadOnlyList<DeliveryRecipient> Recipients,
    Func<CancellationToken, ValueTask<Stream>> OpenMessage,
    long Size,
    BodyType Body = BodyType.SevenBit,
    bool SmtpUtf8 = false,
    DsnReturn Return = DsnReturn.Unspecified,
    string? EnvelopeId = null,
    string? AuthenticatedUser = null,
    string? Folder = null);
