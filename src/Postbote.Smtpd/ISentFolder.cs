using Postbote.Core.Envelope;

namespace Postbote.Smtpd;

/// <summary>
/// Files a copy of a message an authenticated user submitted into that user's Sent folder, so their mail
/// program needs no IMAP APPEND (the walk-through reader's question). Best effort: a failure is logged and
/// never fails the submission, which is already queued.
/// </summary>
public interface ISentFolder
{
    Task FileAsync(QueuedMessage envelope, string user, CancellationToken ct);
}
