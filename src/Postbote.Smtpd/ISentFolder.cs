using Postbote.Core.Envelope;

namespace Postbote.Smtpd;

/// <summary>
/// Files a copy of a message an authenticated user submitted into that user's Sent folder, so their mail
/// program needs no IMAP APPEND (the walk-through reader's question). Best effort: a failure is logged and
/// never fails the submission, which is already queued.
/// </summary>
public interface ISentFolder
{
    /// <param name="message">The message as it will be delivered (prepended headers, then the stored bytes), opened
    /// before the queue heard of it, so that a delivery that removes the spool file first cannot lose the copy.
    /// The implementation disposes it.</param>
    Task FileAsync(QueuedMessage envelope, Stream message, string user, CancellationToken ct);
}
