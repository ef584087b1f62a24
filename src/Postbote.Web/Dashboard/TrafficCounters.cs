namespace Postbote.Web.Dashboard;

/// <summary>The running totals the overview shows and plots, read from the server's instruments (<see cref="MetricsCollector"/>).</summary>
public readonly record struct TrafficCounters(long Received, long Queued, long Delivered, long Deferred, long Bounced, long Expired, long Rejected)
{
    public static TrafficCounters From(IReadOnlyList<InstrumentSnapshot> instruments)
    {
        long Sum(string name)
        {
            foreach (var i in instruments)
                if (i.Name == name) return (long)i.Series.Sum(s => s.Value);
            return 0;
        }
        return new TrafficCounters(Sum("postbote_messages_received_total"), Sum("postbote_messages_queued_total"),
            Sum("postbote_messages_delivered_total"), Sum("postbote_messages_deferred_total"), Sum("postbote_messages_bounced_total"),
            Sum("postbote_messages_expired_total"), Sum("postbote_smtpd_rejects_total"));
    }

    public static TrafficCounters operator -(TrafficCounters a, TrafficCounters b) => new(a.Received - b.Received, a.Queued - b.Queued,
        a.Delivered - b.Delivered, a.Deferred - b.Deferred, a.Bounced - b.Bounced, a.Expired - b.Expired, a.Rejected - b.Rejected);

    public static TrafficCounters operator +(TrafficCounters a, TrafficCounters b) => new(a.Received + b.Received, a.Queued + b.Queued,
        a.Delivered + b.Delivered, a.Deferred + b.Deferred, a.Bounced + b.Bounced, a.Expired + b.Expired, a.Rejected + b.Rejected);

    /// <summary>Recipients delivered out of those whose fate is settled (delivered, bounced, expired); null when none is.</summary>
    public double? SuccessRate => Delivered + Bounced + Expired is var settled and > 0 ? (double)Delivered / settled : null;
}
