namespace Postbote.Queue;

/// <summary>
/// Settings of the <see cref="QueueManager"/>: retry schedule, lifetimes, concurrency and DSN policy.
/// Defaults follow Postfix (postconf(5)) unless a comment says otherwise.
/// </summary>
public sealed class QueueManagerOptions
{
    /// <summary>Our host name: Reporting-MTA of DSNs, MAILER-DAEMON@ and the default postmaster domain.</summary>
    public string Hostname { get; set; } = "localhost";

    /// <summary>
    /// First retry delay after a temporary failure; each further deferral doubles it up to
    /// <see cref="MaximalBackoff"/> (5, 10, 20, 40, 80, 160 min, then 4 h). Postfix minimal_backoff_time = 300s.
    /// Postfix derives the delay from the message age; doubling per attempt gives the same curve and is exact to test.
    /// </summary>
    public TimeSpan MinimalBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest retry delay. Postfix maximal_backoff_time = 4000s; we round to 4 h as sendmail's queue runs do.</summary>
    public TimeSpan MaximalBackoff { get; set; } = TimeSpan.FromHours(4);

    /// <summary>After this time in the queue, pending recipients expire and bounce (4.4.7). Postfix maximal_queue_lifetime = 5d.</summary>
    public TimeSpan MaximalQueueLifetime { get; set; } = TimeSpan.FromDays(5);

    /// <summary>The same for messages with the null sender (bounces). Postfix bounce_queue_lifetime = 5d.</summary>
    public TimeSpan BounceQueueLifetime { get; set; } = TimeSpan.FromDays(5);

    /// <summary>
    /// When a message is still undelivered this long after arrival, the sender gets one "delayed" DSN, for
    /// recipients with NOTIFY=DELAY or with no NOTIFY (RFC 3461 §4.1 lets the MTA treat a missing NOTIFY as
    /// FAILURE or FAILURE,DELAY; we choose the latter). Postfix's delay_warning_time defaults to 0h (off);
    /// we default to 4 h, as sendmail's Timeout.queuewarn does, because users want to know. Zero disables it.
    /// </summary>
    public TimeSpan DelayWarningAfter { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Deliveries in progress at once, over all destinations. Postfix default_process_limit = 100.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 100;

    /// <summary>
    /// Deliveries in progress at once to one next hop: the most its concurrency window can grow to.
    /// Postfix default_destination_concurrency_limit = 20.
    /// </summary>
    public int MaxConcurrentDeliveriesPerDestination { get; set; } = 20;

    /// <summary>
    /// The concurrency window a destination starts with (and returns to when it has been idle). It grows by one
    /// after each window's worth of successful sessions (+1/window per success, Postfix's default positive
    /// feedback) up to <see cref="MaxConcurrentDeliveriesPerDestination"/>, and shrinks by one on each failed
    /// session (connection or handshake failure, timeout, lost connection), never below 1.
    /// Postfix initial_destination_concurrency = 5.
    /// </summary>
    public int InitialDestinationConcurrency { get; set; } = 5;

    /// <summary>
    /// Consecutive failed sessions after which a destination is dead: its queued deliveries are deferred at once
    /// ("delivery temporarily suspended") and no connection is opened to it for <see cref="MinimalBackoff"/>; then
    /// one probing session at a time, one more failure and it is dead again, a success revives it. Postfix's
    /// destination_concurrency_failed_cohort_limit = 1 is one cohort, a window's worth of sessions: 5 at the
    /// initial concurrency.
    /// </summary>
    public int DestinationFailureLimit { get; set; } = 5;

    /// <summary>
    /// The most one destination may hold of the delivery slots that other destinations leave free (0.5: half of
    /// <see cref="MaxConcurrentDeliveries"/> when it is alone, a quarter for a second one beside it, ...), so that
    /// stuck destinations together never take every slot. At least one slot is always allowed. Postbote's own;
    /// Postfix has only the per-destination limit.
    /// </summary>
    public double DestinationShareOfDeliveries { get; set; } = 0.5;

    /// <summary>
    /// Messages whose delivery attempt is in progress (routed, waiting in their destinations' queues or being
    /// delivered) at most; further due messages wait in the schedule. Postfix qmgr_message_active_limit = 20000.
    /// </summary>
    public int MaxActiveMessages { get; set; } = 20_000;

    /// <summary>
    /// Attempts in progress at once for messages to one recipient domain (routed and waiting for a slot, or being
    /// delivered); further due messages of that domain are parked, holding nothing, until one ends. Twice the
    /// per-destination limit keeps a destination's window full while a domain with 100,000 due messages neither
    /// takes the whole active set nor piles up waiting attempts (measured: an unbounded active set cost 8% of the
    /// accept rate under relay load). Postfix bounds its active queue per destination the same way (qmgr's
    /// per-destination job lists).
    /// </summary>
    public int MaxActiveMessagesPerDomain { get; set; } = 40;

    /// <summary>Recipients per delivery request. Postfix default_destination_recipient_limit = 50.</summary>
    public int MaxRecipientsPerDelivery { get; set; } = 50;

    /// <summary>Who gets "double bounces" (undeliverable DSNs). Null: postmaster@<see cref="Hostname"/>.</summary>
    public string? PostmasterAddress { get; set; }

    /// <summary>
    /// Largest original message returned whole in a DSN with RET=FULL; a larger one is returned as headers only.
    /// Postfix bounce_size_limit = 50000 bytes.
    /// </summary>
    public long ReturnFullMessageLimit { get; set; } = 50_000;

    /// <summary>The postmaster address in effect.</summary>
    public string EffectivePostmaster => string.IsNullOrEmpty(PostmasterAddress) ? "postmaster@" + Hostname : PostmasterAddress;

    /// <summary>
    /// Accept and queue mail but start no deliveries until this is turned off (Postfix's defer_transports, for
    /// maintenance or a server that only collects mail). Admin commands still work on the queue.
    /// </summary>
    public bool DeferDelivery { get; set; }

    /// <summary>How commits are made durable: one syncfs per batch (default on Linux 5.8+) or an fsync per file (see <see cref="SpoolSyncMode"/>).</summary>
    public SpoolSyncMode SyncMode { get; set; } = SpoolSyncMode.FileSystem;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first wrong setting.</summary>
    public void Validate()
    {
        static void Require(bool ok, string key, string what)
        {
            if (!ok) throw new ArgumentException($"Queue:{key} {what}", key);
        }
        Require(!string.IsNullOrWhiteSpace(Hostname), nameof(Hostname), "must be set");
        Require(MinimalBackoff > TimeSpan.Zero, nameof(MinimalBackoff), "must be positive");
        Require(MaximalBackoff >= MinimalBackoff, nameof(MaximalBackoff), "must be at least MinimalBackoff");
        Require(MaximalQueueLifetime > TimeSpan.Zero, nameof(MaximalQueueLifetime), "must be positive");
        Require(BounceQueueLifetime > TimeSpan.Zero, nameof(BounceQueueLifetime), "must be positive");
        Require(DelayWarningAfter >= TimeSpan.Zero, nameof(DelayWarningAfter), "must not be negative");
        Require(MaxConcurrentDeliveries > 0, nameof(MaxConcurrentDeliveries), "must be positive");
        Require(MaxConcurrentDeliveriesPerDestination > 0, nameof(MaxConcurrentDeliveriesPerDestination), "must be positive");
        Require(InitialDestinationConcurrency > 0, nameof(InitialDestinationConcurrency), "must be positive");
        Require(DestinationFailureLimit > 0, nameof(DestinationFailureLimit), "must be positive");
        Require(DestinationShareOfDeliveries > 0 && DestinationShareOfDeliveries <= 1, nameof(DestinationShareOfDeliveries), "must be more than 0 and at most 1");
        Require(MaxActiveMessages > 0, nameof(MaxActiveMessages), "must be positive");
        Require(MaxActiveMessagesPerDomain > 0, nameof(MaxActiveMessagesPerDomain), "must be positive");
        Require(MaxRecipientsPerDelivery > 0, nameof(MaxRecipientsPerDelivery), "must be positive");
        Require(ReturnFullMessageLimit >= 0, nameof(ReturnFullMessageLimit), "must not be negative");
    }
}
