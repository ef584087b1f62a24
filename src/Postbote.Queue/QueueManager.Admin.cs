using Postbote.Core.Delivery;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

public sealed partial class QueueManager
{
    /// <summary>
    /// Makes deferred messages due now (postqueue -f, or -s domain): all active messages, or those with a pending
    /// recipient in <paramref name="domain"/>. Returns how many were scheduled.
    /// </summary>
    public Task<int> FlushAsync(string? domain = null, CancellationToken cancellationToken = default)
    {
        string[] ids;
        lock (_gate)
        {
            ids = _messages.Where(m => domain is null || m.Value.PendingDomains.Contains(NormalizeDomain(domain))).Select(m => m.Key).ToArray();
        }
        int count = ids.Count(MakeDueNow);
        return Task.FromResult(count);
    }

    /// <summary>Makes one message due now (postqueue -i). False when it is not in the active queue.</summary>
    public Task<bool> FlushMessageAsync(string queueId, CancellationToken cancellationToken = default)
    {
        if (!QueueId.IsValid(queueId)) return Task.FromResult(false);
        return Task.FromResult(MakeDueNow(queueId.ToUpperInvariant()));
    }

    /// <summary>
    /// ETRN (RFC 1985): starts delivery of what is queued for a node. "example.org" is that domain;
    /// "@example.org" also its subdomains; "#queue" names are not supported (458).
    /// </summary>
    public EtrnResult Etrn(string node)
    {
        if (!IsRunning || string.IsNullOrWhiteSpace(node) || node.StartsWith('#')) return new EtrnResult(EtrnOutcome.Unable, 0);
        bool subdomains = node.StartsWith('@');
        string domain = NormalizeDomain(subdomains ? node[1..] : node);
        string[] ids;
        lock (_gate)
        {
            ids = _messages.Where(m => m.Value.PendingDomains.Any(d => d == domain || (subdomains && d.EndsWith("." + domain, StringComparison.Ordinal))))
                .Select(m => m.Key).ToArray();
        }
        if (ids.Length == 0) return new EtrnResult(EtrnOutcome.NoMessages, 0);
        foreach (var id in ids) MakeDueNow(id);
        return new EtrnResult(EtrnOutcome.QueueingStarted, ids.Length);
    }

    /// <summary>Puts an active message on hold (postsuper -h); waits for an attempt in progress. False if not active.</summary>
    public async Task<bool> HoldAsync(string queueId, CancellationToken cancellationToken = default)
    {
        if (!QueueId.IsValid(queueId)) return false;
        queueId = queueId.ToUpperInvariant();
        using (await _messageLocks.AcquireAsync(queueId, cancellationToken).ConfigureAwait(false))
        {
            if (!_spool.Move(queueId, QueueState.Active, QueueState.Hold)) return false;
            Unschedule(queueId);
            _mailLog.Held(queueId);
            return true;
        }
    }

    /// <summary>Releases a held message (postsuper -H) and makes it due now. False if it was not on hold.</summary>
    public async Task<bool> ReleaseAsync(string queueId, CancellationToken cancellationToken = default)
    {
        if (!QueueId.IsValid(queueId)) return false;
        queueId = queueId.ToUpperInvariant();
        using (await _messageLocks.AcquireAsync(queueId, cancellationToken).ConfigureAwait(false))
        {
            if (!_spool.Move(queueId, QueueState.Hold, QueueState.Active)) return false;
            _mailLog.Released(queueId);
            var envelope = _spool.Load(queueId, QueueState.Active);
            if (envelope is not null) Schedule(envelope, _time.GetUtcNow());
            return true;
        }
    }

    /// <summary>Deletes a message in any state (postsuper -d), without notice; waits for an attempt in progress.</summary>
    public async Task<bool> DeleteAsync(string queueId, CancellationToken cancellationToken = default)
    {
        if (!QueueId.IsValid(queueId)) return false;
        queueId = queueId.ToUpperInvariant();
        using (await _messageLocks.AcquireAsync(queueId, cancellationToken).ConfigureAwait(false))
        {
            if (_spool.Find(queueId) is null) return false;
            _spool.Remove(queueId);
            Unschedule(queueId);
            _mailLog.Removed(queueId);
            return true;
        }
    }

    /// <summary>
    /// Gives up on an active or held message now (postsuper -e, at once): every pending recipient fails with
    /// 5.0.0, the sender gets the DSNs they asked for, and the message is removed. False if not found.
    /// </summary>
    public async Task<bool> BounceNowAsync(string queueId, CancellationToken cancellationToken = default)
    {
        if (!QueueId.IsValid(queueId)) return false;
        queueId = queueId.ToUpperInvariant();
        using (await _messageLocks.AcquireAsync(queueId, cancellationToken).ConfigureAwait(false))
        {
            var found = _spool.Find(queueId);
            if (found is not { State: QueueState.Active or QueueState.Hold } f) return false;
            var (envelope, state) = f;
            var now = _time.GetUtcNow();
            var actions = new Dictionary<QueuedRecipient, DeliveryAction>(ReferenceEqualityComparer.Instance);
            foreach (var r in envelope.Recipients.Where(r => !r.IsDone))
            {
                r.State = RecipientState.Bounced;
                r.Status = "5.0.0";
                r.Diagnostic = "message returned by the mail system administrator";
                r.LastAttempt = now;
                r.DsnSent = !WantsFailureNotice(r);
                actions[r] = DeliveryAction.Failed;
                _mailLog.Attempt(queueId, r.Address, r.RemoteMta, now - envelope.ArrivalTime, "5.0.0", "bounced", r.Diagnostic);
                _spool.Metrics.Attempted("bounced", now - envelope.ArrivalTime);
            }
            await _spool.UpdateAsync(envelope, state, CancellationToken.None).ConfigureAwait(false);
            _mailLog.BouncedByAdmin(queueId);
            await NotifyAsync(envelope, actions, []).ConfigureAwait(false);
            _spool.Remove(queueId);
            Unschedule(queueId);
            _mailLog.Removed(queueId);
            return true;
        }
    }

    private static string NormalizeDomain(string domain) => domain.Trim().TrimEnd('.').ToLowerInvariant();
}
