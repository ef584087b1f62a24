using System.Text;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

public sealed partial class QueueManager
{
    /// <summary>RFC 3461 §4.1: NOTIFY not given means FAILURE (or FAILURE,DELAY, see below); NEVER means none.</summary>
    private static bool WantsFailureNotice(QueuedRecipient r) => r.Notify == DsnNotify.None || r.Notify.HasFlag(DsnNotify.Failure);

    /// <summary>
    /// A success DSN only on NOTIFY=SUCCESS, and only when the next hop will not send one itself: "delivered"
    /// to a mailbox or "relayed" to a host without DSN. <see cref="DeliveryAction.Expanded"/> (a DSN-capable
    /// relay took the NOTIFY along) leaves it to the next hop (RFC 3461 §6.2.2).
    /// </summary>
    private static bool WantsSuccessNotice(QueuedRecipient r, DeliveryAction action) =>
        r.Notify.HasFlag(DsnNotify.Success) && action is DeliveryAction.Delivered or DeliveryAction.Relayed;

    /// <summary>Our choice for a missing NOTIFY is FAILURE,DELAY (RFC 3461 §4.1 allows either; see the options).</summary>
    private static bool WantsDelayNotice(QueuedRecipient r) => r.Notify == DsnNotify.None || r.Notify.HasFlag(DsnNotify.Delay);

    private bool IsPostmaster(string address) => string.Equals(address, _options.EffectivePostmaster, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Queues the notifications owed: failures (bounced or expired, not yet reported), successes asked for, and
    /// the delay warning. The null sender never gets one: its failures go to the postmaster as a double bounce,
    /// unless the failed recipient is the postmaster (the notice is then dropped with a log line: no loop).
    /// Marks what was reported; returns whether the envelope changed.
    /// </summary>
    private async Task<bool> NotifyAsync(QueuedMessage envelope, Dictionary<QueuedRecipient, DeliveryAction> roundActions, List<QueuedRecipient> delayed)
    {
        bool changed = false;
        var failed = envelope.Recipients.Where(r => r.State is RecipientState.Bounced or RecipientState.Expired && !r.DsnSent).ToList();
        var succeeded = envelope.Recipients.Where(r => r.State == RecipientState.Delivered && !r.DsnSent).ToList();
        if (envelope.IsBounce)
        {
            foreach (var r in failed.Where(r => IsPostmaster(r.Address)).ToList())
            {
                _mailLog.NoticeDiscarded(envelope.QueueId, r.Address);
                r.DsnSent = true;
                failed.Remove(r);
                changed = true;
            }
            if (failed.Count > 0)
            {
                var id = await SendNoticeAsync(DsnKind.PostmasterCopy, envelope, failed.Select(r => (r, DeliveryAction.Failed)).ToList(), _options.EffectivePostmaster).ConfigureAwait(false);
                _mailLog.PostmasterNotice(envelope.QueueId, id);
            }
            foreach (var r in failed.Concat(succeeded)) r.DsnSent = true;
            if (delayed.Count > 0) envelope.DelayWarningSent = true;
            return changed || failed.Count > 0 || succeeded.Count > 0 || delayed.Count > 0;
        }
        if (failed.Count > 0)
        {
            var id = await SendNoticeAsync(DsnKind.Failure, envelope, failed.Select(r => (r, DeliveryAction.Failed)).ToList(), envelope.ReversePath).ConfigureAwait(false);
            _mailLog.NonDeliveryNotice(envelope.QueueId, id);
            foreach (var r in failed) r.DsnSent = true;
            changed = true;
        }
        if (succeeded.Count > 0)
        {
            // After a restart the round's action is unknown: a recipient with a remote MTA was relayed.
            var list = succeeded.Select(r => (r, roundActions.TryGetValue(r, out var a) ? a : r.RemoteMta is null ? DeliveryAction.Delivered : DeliveryAction.Relayed)).ToList();
            var id = await SendNoticeAsync(DsnKind.Success, envelope, list, envelope.ReversePath).ConfigureAwait(false);
            _mailLog.SuccessNotice(envelope.QueueId, id);
            foreach (var r in succeeded) r.DsnSent = true;
            changed = true;
        }
        if (delayed.Count > 0)
        {
            var id = await SendNoticeAsync(DsnKind.Delay, envelope, delayed.Select(r => (r, DeliveryAction.Delayed)).ToList(), envelope.ReversePath).ConfigureAwait(false);
            _mailLog.DelayNotice(envelope.QueueId, id);
            envelope.DelayWarningSent = true;
            changed = true;
        }
        return changed;
    }

    /// <summary>Builds a DSN and queues it from the null reverse path; returns its queue id.</summary>
    private async Task<string> SendNoticeAsync(DsnKind kind, QueuedMessage original, IReadOnlyList<(QueuedRecipient, DeliveryAction)> recipients, string to)
    {
        var bytes = await _bounce.CreateAsync(kind, original, recipients, () => _spool.OpenMessage(original.QueueId), to, CancellationToken.None).ConfigureAwait(false);
        bool eightBit = bytes.AsSpan().IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0;
        var dsn = new QueuedMessage
        {
            ArrivalTime = _time.GetUtcNow(),
            ReversePath = "",
            Body = eightBit ? BodyType.EightBitMime : BodyType.SevenBit,
            SmtpUtf8 = to.Any(c => c > 127),
            Protocol = "LOCAL",
            ClientAddress = "127.0.0.1",
            HeloName = _options.Hostname,
            Recipients = [new QueuedRecipient { Address = to }],
        };
        return await _spool.EnqueueAsync(bytes, dsn, CancellationToken.None).ConfigureAwait(false);
    }
}
