using Postbote.Core.Delivery;

namespace Postbote.Queue;

/// <summary>
/// One next hop's share of the scheduler (Postfix qmgr's per-destination queue): the deliveries waiting for a
/// slot, the sessions in progress, the concurrency window with its feedback, and the dead state. Not thread-safe:
/// the <see cref="QueueManager"/> uses it under its scheduler lock.
/// </summary>
/// <remarks>
/// Feedback, per session (one delivery request to the next hop): a success (the peer talked SMTP, whatever it
/// answered for the message or its recipients) adds one credit, and a window's worth of credits widens the
/// window by one (Postfix's positive feedback of 1/concurrency per delivery), up to the limit. A failure
/// (temporary, for the whole session or site: connection refused or timed out, 421, a hung peer that timed out,
/// a lost connection) narrows it by one at once, never below one, and clears the credits. After
/// <c>failureLimit</c> failures without a success in between the destination is dead until the retry time.
/// </remarks>
internal sealed class DestinationQueue
{
    private readonly int _maxWindow;
    private int _credits;

    public DestinationQueue(string key, int initialWindow, int maxWindow)
    {
        Key = key;
        _maxWindow = Math.Max(1, maxWindow);
        Window = Math.Clamp(initialWindow, 1, _maxWindow);
    }

    /// <summary>The next hop key ("mx:example.net", "local:example.org", "relay:[smtp.example]:587").</summary>
    public string Key { get; }

    /// <summary>Sessions this destination may have in progress now (before the share of the total).</summary>
    public int Window { get; private set; }

    /// <summary>Sessions in progress (delivery slots held).</summary>
    public int InUse { get; set; }

    /// <summary>Deliveries waiting for a slot, first come first served; true grants the slot, false means "suspended".</summary>
    public Queue<TaskCompletionSource<bool>> Waiting { get; } = new();

    /// <summary>True while the destination is in the scheduler's round-robin rotation.</summary>
    public bool InRotation { get; set; }

    /// <summary>Failed sessions since the last successful one.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>Until when no session may start (set when the destination died); null when alive.</summary>
    public DateTimeOffset? DeadUntil { get; private set; }

    /// <summary>The last failure: status, diagnostic and the host that gave it (for the "suspended" deferrals and the admin).</summary>
    public RecipientResult? LastFailure { get; private set; }

    public bool IsDead(DateTimeOffset now) => DeadUntil is { } until && now < until;

    /// <summary>True when nothing of this destination needs remembering: idle, nothing waiting, no failure streak.</summary>
    public bool IsForgettable => InUse == 0 && Waiting.Count == 0 && ConsecutiveFailures == 0;

    /// <summary>Positive feedback: the session worked. Revives a dead destination.</summary>
    public void Succeeded()
    {
        ConsecutiveFailures = 0;
        DeadUntil = null;
        if (++_credits >= Window)
        {
            _credits = 0;
            if (Window < _maxWindow) Window++;
        }
    }

    /// <summary>Negative feedback: the session failed. Returns true when this failure made the destination dead.</summary>
    public bool Failed(RecipientResult failure, DateTimeOffset now, TimeSpan deadFor, int failureLimit)
    {
        LastFailure = failure;
        _credits = 0;
        if (Window > 1) Window--;
        ConsecutiveFailures++;
        if (ConsecutiveFailures < failureLimit || IsDead(now)) return false;
        DeadUntil = now + deadFor;
        return true;
    }

    /// <summary>Whether a session may start: within the window and within the share of the slots others leave free.</summary>
    /// <param name="inUseOverall">Delivery slots held over all destinations.</param>
    /// <param name="total">All delivery slots (MaxConcurrentDeliveries).</param>
    /// <param name="share">The share of the free slots one destination may hold.</param>
    public bool CanStart(int inUseOverall, int total, double share)
    {
        if (inUseOverall >= total || InUse >= Window) return false;
        int leftByOthers = total - (inUseOverall - InUse);
        int cap = Math.Max(1, (int)(share * leftByOthers));
        return InUse < cap;
    }

    /// <summary>How a session's results count for the feedback: true success, false failure, null neither.</summary>
    /// <remarks>
    /// A failure is a session whose every recipient was deferred for a session- or site-wide reason; a session that
    /// delivered or was refused for the message or a recipient was a working conversation; a permanent site error
    /// (no such domain, null MX) says nothing about the peer's health.
    /// </remarks>
    public static bool? Judge(IReadOnlyList<RecipientResult> results)
    {
        if (results.Count == 0) return null;
        bool allSessionFailures = true, anyConversation = false;
        foreach (var r in results)
        {
            bool sessionFailure = r.IsTemporary && r.Scope is FailureScope.Session or FailureScope.Site;
            allSessionFailures &= sessionFailure;
            anyConversation |= r.IsSuccess || r.Scope is FailureScope.Recipient or FailureScope.Message;
        }
        return allSessionFailures ? false : anyConversation ? true : null;
    }
}
