using System.Text;
using Microsoft.Extensions.Logging;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

public sealed partial class QueueManager
{
    /// <summary>One attempt on one message, under its lock; always ends with <see cref="FinishAttempt"/>.</summary>
    private async Task AttemptAsync(string queueId, CancellationToken ct)
    {
        QueuedMessage? stillActive = null;
        IDisposable? held = null;
        try
        {
            held = await _messageLocks.AcquireAsync(queueId, ct).ConfigureAwait(false);
            var envelope = _spool.Load(queueId, QueueState.Active); // null: held or deleted meanwhile
            if (envelope is not null) stillActive = await ProcessAsync(envelope, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e)
        {
            LogAttemptFailed(queueId, e);
            try
            {
                stillActive = _spool.Load(queueId, QueueState.Active);
                if (stillActive is not null) stillActive.NextAttempt = _time.GetUtcNow() + _options.MinimalBackoff;
            }
            catch (Exception) { stillActive = null; }
        }
        finally
        {
            FinishAttempt(queueId, stillActive);
            held?.Dispose();
        }
    }

    /// <summary>
    /// Delivers the pending recipients, records the results durably, expires what is too old, sends the
    /// notifications due and removes the message when it is done. Returns the envelope while it stays active.
    /// </summary>
    private async Task<QueuedMessage?> ProcessAsync(QueuedMessage envelope, CancellationToken ct)
    {
        var pending = envelope.Recipients.Where(r => !r.IsDone).ToList();
        var roundActions = new Dictionary<QueuedRecipient, DeliveryAction>(ReferenceEqualityComparer.Instance);
        var outcomes = new List<(QueuedRecipient Recipient, RecipientResult Result, string Relay)>();
        if (pending.Count > 0) outcomes = await DeliverAsync(envelope, pending, ct).ConfigureAwait(false);

        // From here on, bookkeeping on local disk: not cancelled, so that what was delivered is recorded.
        var now = _time.GetUtcNow();
        foreach (var (r, result, _) in outcomes) Apply(envelope, r, result, now, roundActions);
        var expired = new List<QueuedRecipient>();
        var lifetime = envelope.IsBounce ? _options.BounceQueueLifetime : _options.MaximalQueueLifetime;
        var still = envelope.Recipients.Where(r => !r.IsDone).ToList();
        if (still.Count > 0 && now >= envelope.ArrivalTime + lifetime && !ct.IsCancellationRequested)
        {
            foreach (var r in still)
            {
                r.State = RecipientState.Expired;
                r.Status = "4.4.7"; // RFC 3463: delivery time expired
                r.Diagnostic = string.IsNullOrEmpty(r.Diagnostic) ? "message expired in the queue" : r.Diagnostic;
                r.DsnSent = !WantsFailureNotice(r);
                roundActions[r] = DeliveryAction.Failed;
                expired.Add(r);
            }
            still.Clear();
        }
        var delayed = new List<QueuedRecipient>();
        if (still.Count > 0)
        {
            envelope.Attempts++;
            envelope.LastAttempt = now;
            var next = now + Backoff(envelope.Attempts);
            if (next > envelope.ArrivalTime + lifetime) next = envelope.ArrivalTime + lifetime;
            if (_options.DelayWarningAfter > TimeSpan.Zero && !envelope.DelayWarningSent)
            {
                var warnAt = envelope.ArrivalTime + _options.DelayWarningAfter;
                if (now >= warnAt)
                {
                    delayed.AddRange(still.Where(WantsDelayNotice));
                    if (delayed.Count == 0 || envelope.IsBounce) { envelope.DelayWarningSent = true; delayed.Clear(); }
                }
                else if (next > warnAt) next = warnAt;
            }
            envelope.NextAttempt = next;
        }
        // A message delivered to every recipient with no notice owed is simply removed, as Postfix deletes its queue
        // file: rewriting the envelope first would cost a durable write per message for nothing (a crash in between
        // at worst delivers twice, which the spool's promise allows). Otherwise results are durable before any DSN.
        bool finishedQuietly = envelope.IsComplete && expired.Count == 0 && outcomes.TrueForAll(o => o.Item2.IsSuccess)
            && !envelope.Recipients.Exists(r => r.Notify.HasFlag(DsnNotify.Success) && !r.DsnSent);
        if ((outcomes.Count > 0 || expired.Count > 0) && !finishedQuietly)
            await _spool.UpdateAsync(envelope, QueueState.Active, CancellationToken.None).ConfigureAwait(false);

        var delay = now - envelope.ArrivalTime;
        foreach (var (r, result, relay) in outcomes)
        {
            string status = result.IsSuccess ? "sent" : result.IsPermanent ? "bounced" : "deferred";
            string dsn = result.Status;
            if (r.State == RecipientState.Expired) (status, dsn) = ("expired", "4.4.7");
            _mailLog.Attempt(envelope.QueueId, r.Address, relay, delay, dsn, status, result.Diagnostic, result.Tls);
            _spool.Metrics.Attempted(status, delay);
        }
        foreach (var r in expired.Where(r => !outcomes.Exists(o => ReferenceEquals(o.Recipient, r))))
        {
            _mailLog.Attempt(envelope.QueueId, r.Address, r.RemoteMta, delay, "4.4.7", "expired", r.Diagnostic ?? "");
            _spool.Metrics.Attempted("expired", delay);
        }

        bool changed = await NotifyAsync(envelope, roundActions, delayed).ConfigureAwait(false);
        if (envelope.IsComplete)
        {
            _spool.Remove(envelope.QueueId);
            _mailLog.Removed(envelope.QueueId);
            return null;
        }
        if (changed) await _spool.UpdateAsync(envelope, QueueState.Active, CancellationToken.None).ConfigureAwait(false);
        return envelope;
    }

    /// <summary>Records one result in the recipient; decides now whether a DSN will be owed for it.</summary>
    private void Apply(QueuedMessage envelope, QueuedRecipient r, RecipientResult result, DateTimeOffset now, Dictionary<QueuedRecipient, DeliveryAction> roundActions)
    {
        r.Attempts++;
        r.LastAttempt = now;
        r.Status = result.Status;
        r.Diagnostic = result.Diagnostic;
        r.RemoteMta = result.RemoteMta;
        if (result.IsSuccess)
        {
            r.State = RecipientState.Delivered;
            r.DsnSent = envelope.IsBounce || !WantsSuccessNotice(r, result.Action);
        }
        else if (result.IsPermanent)
        {
            r.State = RecipientState.Bounced;
            r.DsnSent = !WantsFailureNotice(r);
        }
        roundActions[r] = result.Action;
    }

    /// <summary>Retry delay after the n-th deferral: MinimalBackoff doubled n-1 times, at most MaximalBackoff.</summary>
    internal TimeSpan Backoff(int deferrals)
    {
        var delay = _options.MinimalBackoff;
        for (int i = 1; i < deferrals && delay < _options.MaximalBackoff; i++) delay += delay;
        return delay < _options.MaximalBackoff ? delay : _options.MaximalBackoff;
    }

    /// <summary>Routes the pending recipients, groups them by next hop and delivers the groups in parallel.</summary>
    private async Task<List<(QueuedRecipient, RecipientResult, string)>> DeliverAsync(QueuedMessage envelope, List<QueuedRecipient> pending, CancellationToken ct)
    {
        var outcomes = new List<(QueuedRecipient, RecipientResult, string)>();
        var groups = new Dictionary<string, (NextHop Hop, List<QueuedRecipient> Recipients)>(StringComparer.Ordinal);
        foreach (var r in pending)
        {
            NextHop hop;
            try
            {
                hop = await _router.RouteAsync(r.Address, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRoutingFailed(envelope.QueueId, r.Address, e);
                outcomes.Add((r, RecipientResult.Temporary(r.Address, "4.3.0", "routing failed; mail stays queued", null, FailureScope.Recipient), "none"));
                continue;
            }
            // Recipients with a sender of their own (SRS on forwarded mail) go in a transaction of their own.
            // So do forwarded recipients when the message has headers for them alone (an ARC set).
            string key = r.ReversePath is null ? hop.Key : hop.Key + "\0" + r.ReversePath;
            if (r.Forwarded && envelope.ForwardPrependHeaders is not null) key += "\0forwarded";
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = (hop, new List<QueuedRecipient>());
            group.Recipients.Add(r);
        }
        var tasks = new List<Task<List<(QueuedRecipient, RecipientResult, string)>?>>();
        foreach (var (hop, recipients) in groups.Values)
            foreach (var chunk in recipients.Chunk(_options.MaxRecipientsPerDelivery))
                tasks.Add(DeliverGroupAsync(envelope, hop, chunk, ct));
        foreach (var done in await Task.WhenAll(tasks).ConfigureAwait(false))
            if (done is not null) outcomes.AddRange(done);
        return outcomes;
    }

    /// <summary>One delivery request to one next hop; null when cancelled by shutdown (recipients stay as they were).</summary>
    private async Task<List<(QueuedRecipient, RecipientResult, string)>?> DeliverGroupAsync(QueuedMessage envelope, NextHop hop, QueuedRecipient[] recipients, CancellationToken ct)
    {
        var agent = _router.GetAgent(hop);
        if (agent is null)
        {
            string why = $"no transport for {hop.Key} yet; mail stays queued";
            return recipients.Select(r => (r, RecipientResult.Temporary(r.Address, "4.3.0", why, null, FailureScope.Site), "none")).ToList();
        }
        IReadOnlyList<RecipientResult> results;
        try
        {
            if (!await AcquireDeliverySlotAsync(hop.Key, ct).ConfigureAwait(false))
                return recipients.Select(r => (r, Suspended(hop.Key, r.Address), "none")).ToList();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return null; }
        IReadOnlyList<RecipientResult>? feedback = null;
        try
        {
            results = await agent.DeliverAsync(CreateRequest(envelope, recipients), ct).ConfigureAwait(false);
            feedback = results;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return null; }
        catch (Exception e)
        {
            LogAgentFailed(envelope.QueueId, agent.Name, hop.Key, e);
            results = [];
        }
        finally { ReleaseDeliverySlot(hop.Key, feedback); }
        var outcomes = new List<(QueuedRecipient, RecipientResult, string)>(recipients.Length);
        for (int i = 0; i < recipients.Length; i++)
        {
            var result = i < results.Count ? results[i]
                : RecipientResult.Temporary(recipients[i].Address, "4.3.0", $"delivery agent {agent.Name} gave no result", null, FailureScope.Message);
            outcomes.Add((recipients[i], result, result.RemoteMta ?? (hop.Kind == TransportKind.Local ? agent.Name : "none")));
        }
        return outcomes;
    }

    private DeliveryRequest CreateRequest(QueuedMessage envelope, QueuedRecipient[] recipients)
    {
        bool forwarded = recipients[0].Forwarded && envelope.ForwardPrependHeaders is not null;
        long prefixLength = (envelope.PrependHeaders.Count == 0 ? 0 : Encoding.UTF8.GetByteCount(string.Concat(envelope.PrependHeaders)))
            + (forwarded ? Encoding.UTF8.GetByteCount(string.Concat(envelope.ForwardPrependHeaders!)) : 0);
        string id = envelope.QueueId;
        return new DeliveryRequest(
            id,
            recipients[0].ReversePath ?? envelope.ReversePath,
            recipients.Select(r => new DeliveryRecipient(r.Address, r.Notify, r.OriginalRecipientParameter)).ToList(),
            _ => ValueTask.FromResult(_spool.OpenForDelivery(envelope, forwarded)),
            envelope.Size + prefixLength - envelope.OmittedLength(),
            envelope.Body,
            envelope.SmtpUtf8,
            envelope.Return,
            envelope.EnvelopeId,
            envelope.AuthenticatedUser,
            envelope.Folder);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{QueueId}: delivery attempt failed unexpectedly; retrying later")]
    private partial void LogAttemptFailed(string queueId, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "{QueueId}: routing <{Recipient}> failed")]
    private partial void LogRoutingFailed(string queueId, string recipient, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "{QueueId}: delivery agent {Agent} for {NextHop} threw; recipients deferred")]
    private partial void LogAgentFailed(string queueId, string agent, string nextHop, Exception e);
}
