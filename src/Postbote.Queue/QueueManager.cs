using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

/// <summary>
/// Postfix's qmgr: one scheduler over the active queue. Messages wait in a priority queue keyed by their next
/// attempt; the scheduler sleeps on one timer (the clock is the injected <see cref="TimeProvider"/>) and wakes for
/// a newly committed message (<see cref="Spool.MessageCommitted"/>), a flush, or the timer. A due message gets an
/// attempt at once; the attempt routes its recipients through <see cref="IDeliveryRouter"/>, and each next-hop
/// group waits in its destination's own queue for a slot (per-destination window with feedback, dead destinations,
/// a share of the overall limit; destinations served round robin), so one stuck destination holds up only its own
/// mail. Results are written to the envelope (durably) before anything else sees them, and a message leaves the
/// spool when every recipient is done and its notifications are queued.
/// </summary>
/// <remarks>Partial files: <c>.Delivery</c> (one attempt), <c>.Destinations</c> (slots and feedback),
/// <c>.Notifications</c> (DSNs), <c>.Admin</c> (operations).</remarks>
public sealed partial class QueueManager : IHostedService, IAsyncDisposable
{
    private readonly Spool _spool;
    private readonly IDeliveryRouter _router;
    private readonly QueueManagerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueManager> _logger;
    private readonly MailLog _mailLog;
    private readonly Bounce _bounce;
    private readonly KeyedAsyncLock _messageLocks = new();

    // Scheduler state, all under _gate.
    private readonly Lock _gate = new();
    private readonly PriorityQueue<string, DateTimeOffset> _due = new();
    private readonly Dictionary<string, ScheduledMessage> _messages = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    // Attempts in flight per recipient domain, the domains each in-flight message counts against, and the due
    // messages parked because one of their domains is at MaxActiveMessagesPerDomain (see TryTakeDue).
    private readonly Dictionary<string, int> _activeByDomain = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _activeDomainsOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<string>> _parked = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rerunAfterFlight = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _attempts = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private bool _wakeRequested;
    private bool _loopWaiting;
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CancellationTokenSource? _stopping;
    private Task? _loop;
    private ITimer? _timer;

    /// <summary>What the scheduler knows of an active message: when it is due and where its pending recipients go.</summary>
    private sealed class ScheduledMessage
    {
        public DateTimeOffset Due;
        public string[] PendingDomains = [];
    }

    public QueueManager(Spool spool, IDeliveryRouter router, IOptions<QueueManagerOptions> options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _spool = spool;
        _router = router;
        _options = options.Value;
        _options.Validate();
        _time = time;
        _logger = loggerFactory.CreateLogger<QueueManager>();
        _mailLog = new MailLog(loggerFactory);
        _bounce = new Bounce(_options, time);
    }

    /// <summary>Signs the DSNs this queue generates (DKIM, RFC 6376), if set.</summary>
    public MailAuth.Dkim.DkimSigner? DkimSigner { init => _bounce.Signer = value; }

    /// <summary>True between <see cref="StartAsync"/> and <see cref="StopAsync"/>.</summary>
    public bool IsRunning => _loop is { IsCompleted: false };

    /// <summary>
    /// Reads the active queue (resuming after a restart), subscribes to new messages and starts the scheduler.
    /// Call <see cref="Spool.Recover"/> before, once, as the host's start-up does.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null) throw new InvalidOperationException("The queue manager is already running.");
        _stopping = new CancellationTokenSource();
        _spool.MessageCommitted += OnMessageCommitted;
        foreach (var envelope in _spool.List(QueueState.Active))
            Schedule(envelope, envelope.NextAttempt ?? _time.GetUtcNow());
        _timer = _time.CreateTimer(_ => Wake(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        LogStarted(_messages.Count);
        return Task.CompletedTask;
    }

    /// <summary>Stops scheduling, cancels deliveries in progress (their recipients stay pending) and waits for them.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null || _stopping is null) return;
        _spool.MessageCommitted -= OnMessageCommitted;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false); // no dispatch after this
            Task[] attempts;
            lock (_gate) attempts = [.. _attempts];
            await Task.WhenAll(attempts).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        _timer?.Dispose();
        _loop = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping?.Dispose();
    }

    private void OnMessageCommitted(QueuedMessage envelope) => Schedule(envelope, _time.GetUtcNow());

    /// <summary>Puts (or moves) a message in the schedule; the earliest time wins unless <paramref name="replace"/>.</summary>
    private void Schedule(QueuedMessage envelope, DateTimeOffset due, bool replace = true)
    {
        var domains = envelope.Recipients.Where(r => !r.IsDone).Select(r => DomainOf(r.Address)).Distinct().ToArray();
        lock (_gate)
        {
            if (!_messages.TryGetValue(envelope.QueueId, out var entry)) _messages[envelope.QueueId] = entry = new ScheduledMessage { Due = due };
            else if (replace || due < entry.Due) entry.Due = due;
            entry.PendingDomains = domains;
            if (!_inFlight.Contains(envelope.QueueId)) _due.Enqueue(envelope.QueueId, entry.Due);
        }
        Wake();
    }

    /// <summary>Makes a scheduled message due now; false if the scheduler does not know it.</summary>
    private bool MakeDueNow(string queueId)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_messages.TryGetValue(queueId, out var entry)) return false;
            entry.Due = now;
            if (_inFlight.Contains(queueId)) _rerunAfterFlight.Add(queueId);
            else _due.Enqueue(queueId, now);
        }
        Wake();
        return true;
    }

    private void Unschedule(string queueId)
    {
        lock (_gate)
        {
            _messages.Remove(queueId);
            _rerunAfterFlight.Remove(queueId);
        }
    }

    private void Wake()
    {
        lock (_gate) RequestWakeLocked();
        _signal.Release();
    }

    /// <summary>Marks a wake as pending (so the scheduler is not idle); the caller releases <see cref="_signal"/>.</summary>
    private void RequestWakeLocked()
    {
        _wakeRequested = true;
        if (_idle.Task.IsCompleted) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The scheduler: dispatch what is due, arm the timer for the next, sleep until woken. Runs until stopped.</summary>
    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                lock (_gate) _wakeRequested = false;
                await DispatchDueAsync(ct).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_wakeRequested) continue;
                    _loopWaiting = true;
                    CheckIdle();
                }
                await _signal.WaitAsync(ct).ConfigureAwait(false);
                lock (_gate) _loopWaiting = false;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e)
        {
            LogSchedulerFailed(e);
            throw;
        }
    }

    /// <summary>
    /// Starts an attempt for every due message, up to <see cref="QueueManagerOptions.MaxActiveMessages"/> at once
    /// (the end of an attempt wakes the loop again). Never waits: routing and the wait for a destination's slot
    /// happen in the attempt, so a full destination holds up nothing but its own mail.
    /// </summary>
    private Task DispatchDueAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            lock (_gate)
            {
                if (_inFlight.Count >= _options.MaxActiveMessages) return Task.CompletedTask;
                if (!TryTakeDue(now, out var id, out var next))
                {
                    ArmTimer(next, now);
                    return Task.CompletedTask;
                }
                var task = Task.Run(() => AttemptAsync(id, ct), CancellationToken.None);
                _attempts.Add(task);
                _ = task.ContinueWith(t => { lock (_gate) _attempts.Remove(t); }, TaskScheduler.Default);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Takes the earliest due message, skipping stale queue entries; else gives the next due time.</summary>
    private bool TryTakeDue(DateTimeOffset now, out string id, out DateTimeOffset? next)
    {
        next = null;
        while (_due.TryPeek(out id!, out var when))
        {
            if (!_messages.TryGetValue(id, out var entry) || entry.Due != when || _inFlight.Contains(id))
            {
                _due.Dequeue(); // stale: rescheduled, removed or already running
                continue;
            }
            if (when > now)
            {
                next = when;
                return false;
            }
            _due.Dequeue();
            if (FullDomain(entry.PendingDomains) is { } full)
            {
                // Its domain has enough attempts waiting or running already: park it (holding nothing) until one ends,
                // so that a domain with thousands of due messages neither fills the active set nor piles up waiters.
                if (!_parked.TryGetValue(full, out var parked)) _parked[full] = parked = new Queue<string>();
                parked.Enqueue(id);
                continue;
            }
            _inFlight.Add(id);
            foreach (var d in entry.PendingDomains) _activeByDomain[d] = _activeByDomain.GetValueOrDefault(d) + 1;
            _activeDomainsOf[id] = entry.PendingDomains;
            return true;
        }
        return false;
    }

    private string? FullDomain(string[] domains)
    {
        foreach (var d in domains)
            if (_activeByDomain.GetValueOrDefault(d) >= _options.MaxActiveMessagesPerDomain) return d;
        return null;
    }

    /// <summary>An attempt ended: its domains count one less, and messages parked for them become due again.</summary>
    private void ReleaseDomainsLocked(string queueId)
    {
        if (!_activeDomainsOf.Remove(queueId, out var domains)) return;
        foreach (var d in domains)
        {
            int left = _activeByDomain.GetValueOrDefault(d) - 1;
            if (left > 0) _activeByDomain[d] = left;
            else _activeByDomain.Remove(d);
            if (!_parked.TryGetValue(d, out var parked)) continue;
            // Room for one more attempt of this domain: give it back to the schedule (stale ids are dropped there).
            while (parked.TryDequeue(out var id))
            {
                if (!_messages.TryGetValue(id, out var entry) || _inFlight.Contains(id)) continue;
                _due.Enqueue(id, entry.Due);
                break;
            }
            if (parked.Count == 0) _parked.Remove(d);
        }
    }

    private void ArmTimer(DateTimeOffset? next, DateTimeOffset now)
    {
        var delay = next is { } at ? (at - now < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : at - now) : Timeout.InfiniteTimeSpan;
        _timer?.Change(delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Called at the end of an attempt: the message leaves the in-flight set and is scheduled again if still active.</summary>
    private void FinishAttempt(string queueId, QueuedMessage? stillActive)
    {
        lock (_gate)
        {
            _inFlight.Remove(queueId);
            ReleaseDomainsLocked(queueId);
            bool rerun = _rerunAfterFlight.Remove(queueId);
            if (stillActive is null)
            {
                _messages.Remove(queueId);
            }
            else if (_messages.TryGetValue(queueId, out var entry))
            {
                entry.Due = rerun ? _time.GetUtcNow() : stillActive.NextAttempt ?? _time.GetUtcNow();
                entry.PendingDomains = stillActive.Recipients.Where(r => !r.IsDone).Select(r => DomainOf(r.Address)).Distinct().ToArray();
                _due.Enqueue(queueId, entry.Due);
            }
            RequestWakeLocked();
        }
        _signal.Release();
    }

    private void CheckIdle()
    {
        if (_inFlight.Count == 0 && _loopWaiting && !_wakeRequested) _idle.TrySetResult();
    }

    /// <summary>
    /// For tests: completes when the scheduler sleeps with nothing due and no attempt in progress, i.e. after
    /// the effects of a clock advance or a new message have settled. Bounded by <paramref name="timeout"/>.
    /// </summary>
    internal Task WhenIdleAsync(TimeSpan timeout)
    {
        lock (_gate)
        {
            CheckIdle();
            return _idle.Task.WaitAsync(timeout);
        }
    }

    /// <summary>The domain of an address (after the last '@'), lower case; "" when there is none.</summary>
    internal static string DomainOf(string address)
    {
        int at = address.LastIndexOf('@');
        return at < 0 ? "" : address[(at + 1)..].ToLowerInvariant();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "queue manager started with {Count} active messages")]
    private partial void LogStarted(int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "queue manager scheduler failed")]
    private partial void LogSchedulerFailed(Exception e);
}
