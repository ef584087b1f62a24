using Postbote.Core.Envelope;

namespace Postbote.Queue.Control;

/// <summary>One recipient of a queued message as the admin API and the CLI show it.</summary>
public sealed record QueueRecipientEntry(string Address, string? OriginalAddress, string State, string? Status, string? LastReply,
    string? RemoteMta, int Attempts, DateTimeOffset? LastAttempt)
{
    public static QueueRecipientEntry From(QueuedRecipient r) => new(r.Address, r.OriginalAddress, r.State.ToString().ToLowerInvariant(),
        r.Status, r.Diagnostic, r.RemoteMta, r.Attempts, r.LastAttempt);
}
