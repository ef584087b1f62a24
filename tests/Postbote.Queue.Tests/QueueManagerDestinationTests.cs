using System.Diagnostics;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;
using static Postbote.Queue.Tests.QueueFixture;

namespace Postbote.Queue.Tests;

/// <summary>Issue 17 at the scheduler: per-destination queues, windows with feedback, dead destinations, the share of the slots.</summary>
public class QueueManagerDestinationTests
{
    private static Task<string> Queue(QueueFixture f, string to) =>
        f.Spool.EnqueueAsync(OriginalMessage, new QueuedMessage { ArrivalTime = f.Time.GetUtcNow(), ReversePath = Sender, Recipients = [To(to)] }, CancellationToken.None);

    /// <summary>Polls a condition of the scheduler's state, at most <see cref="Settle"/>.</summary>
    private static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Settle, "timed out waiting for: " + what);
            await Task.Delay(5);
        }
    }

    /// <summary>The scheduler's view of a destination; null until an attempt has routed a delivery to it.</summary>
    private static DestinationStatus? Status(QueueFixture f, string key) => f.Manager.Destinations().SingleOrDefault(d => d.NextHop == key);

    [Fact]
    public async Task Dead_destination_gets_no_delivery_until_its_retry_time_and_its_queue_is_deferred_as_suspended()
    {
        await using var f = new QueueFixture(o => o.DelayWarningAfter = TimeSpan.Zero);
        var refusing = f.AddAgent("mx:refuse.example", FakeDeliveryAgent.Deferred());
        await f.StartAsync();

        var ids = new List<string>();
        for (int i = 0; i < 12; i++) ids.Add(await f.EnqueueAsync(Sender, To($"u{i}@refuse.example")));

        Assert.Equal(5, refusing.Calls.Count); // DestinationFailureLimit
        var suspended = f.Spool.Find(ids[5])!.Value.Envelope.Recipients.Single();
        Assert.Equal(RecipientState.Pending, suspended.State);
        Assert.Equal("4.4.1", suspended.Status);
        Assert.Equal("delivery temporarily suspended: connect to mx.example.net[192.0.2.7]:25: Connection refused", suspended.Diagnostic);
        Assert.Equal(Start + TimeSpan.FromMinutes(5), f.Spool.Find(ids[11])!.Value.Envelope.NextAttempt);
        Assert.Contains(f.Logs.MailLog(), l => l.StartsWith(ids[11] + ": to=<u11@refuse.example>, relay=none", StringComparison.Ordinal) && l.Contains("status=deferred (delivery temporarily suspended: "));
        lock (f.Logs.Lines) Assert.Contains(f.Logs.Lines, l => l.Message.Contains("destination mx:refuse.example is dead after 5 failed sessions"));
        var status = Status(f, "mx:refuse.example")!;
        Assert.True(status.Dead);
        Assert.Equal(Start + TimeSpan.FromMinutes(5), status.DeadUntil);

        // Flushes while dead: every message is tried again, none reaches the destination.
        Assert.Equal(12, await f.Manager.FlushAsync());
        await f.IdleAsync();
        await f.AdvanceAsync(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        await f.Manager.FlushAsync();
        await f.IdleAsync();
        Assert.Equal(5, refusing.Calls.Count);

        // From the retry time on, one probing session; it fails, and the destination is dead again.
        await f.AdvanceAsync(TimeSpan.FromSeconds(1));
        await f.Manager.FlushAsync();
        await f.IdleAsync();
        Assert.Equal(6, refusing.Calls.Count);
        Assert.True(Status(f, "mx:refuse.example")!.Dead);
        Assert.Equal(12, f.Spool.List(QueueState.Active).Count());
    }

    [Fact]
    public async Task Window_grows_after_successful_sessions_and_shrinks_after_failed_ones()
    {
        await using var f = new QueueFixture(o => o.DestinationFailureLimit = 100);
        bool failing = false;
        var mx = f.AddAgent("mx:example.net", (req, r) => Volatile.Read(ref failing) ? FakeDeliveryAgent.Deferred()(req, r) : FakeDeliveryAgent.Sent()(req, r));
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mx.Gate = first;
        await f.StartAsync();
        for (int i = 0; i < 30; i++) await Queue(f, $"u{i}@example.net");

        await Until(() => Status(f, "mx:example.net") is { Sessions: 5, Waiting: 25 }, "5 sessions, 25 waiting");
        Assert.Equal(5, Status(f, "mx:example.net")!.Window);

        // Five successful sessions: one window's worth, the window grows to 6.
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mx.Gate = second;
        first.SetResult();
        await Until(() => Status(f, "mx:example.net") is { Sessions: 6, Waiting: 19 }, "6 sessions, 19 waiting");
        Assert.Equal(6, Status(f, "mx:example.net")!.Window);

        // Six failed sessions: one step down each, to the floor of 1.
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mx.Gate = third;
        Volatile.Write(ref failing, true);
        second.SetResult();
        await Until(() => Status(f, "mx:example.net") is { Sessions: 1, Waiting: 18 }, "1 session, 18 waiting");
        Assert.Equal(1, Status(f, "mx:example.net")!.Window);
        Assert.Equal(6, mx.MaxConcurrent);
        third.SetResult();
        await f.IdleAsync();
    }

    [Fact]
    public async Task Slow_local_delivery_does_not_hold_up_remote_delivery()
    {
        await using var f = new QueueFixture(o => o.MaxConcurrentDeliveries = 10);
        f.Router.LocalDomains.Add("example.org");
        var lmtp = f.AddAgent("local:example.org", FakeDeliveryAgent.Sent(remote: null), name: "lmtp");
        var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lmtp.Gate = hung;
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent());
        await f.StartAsync();

        for (int i = 0; i < 30; i++) await Queue(f, $"u{i}@example.org");
        await Until(() => lmtp.Calls.Count == 5, "the hung LMTP server holding its window");
        for (int i = 0; i < 20; i++) await Queue(f, $"r{i}@example.net");

        await Until(() => mx.Calls.Count == 20, "20 remote deliveries beside the hung LMTP server");
        Assert.Equal(5, lmtp.MaxConcurrent);
        hung.SetResult();
        await f.IdleAsync();
        Assert.Empty(f.Spool.List(QueueState.Active));
    }

    [Fact]
    public async Task Stuck_destinations_together_never_take_every_slot()
    {
        await using var f = new QueueFixture(o => (o.MaxConcurrentDeliveries, o.InitialDestinationConcurrency, o.MaxConcurrentDeliveriesPerDestination) = (8, 8, 8));
        var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = new[] { "a", "b", "c" }.Select(n => f.AddAgent($"mx:{n}.example", FakeDeliveryAgent.Sent())).ToArray();
        foreach (var s in stuck) s.Gate = hung;
        var healthy = f.AddAgent("mx:healthy.example", FakeDeliveryAgent.Sent());
        await f.StartAsync();

        foreach (var n in new[] { "a", "b", "c" })
        {
            for (int i = 0; i < 10; i++) await Queue(f, $"u{i}@{n}.example");
            await Until(() => Status(f, $"mx:{n}.example") is { Waiting: > 0 }, $"{n} full");
        }
        for (int i = 0; i < 10; i++) await Queue(f, $"u{i}@healthy.example");

        await Until(() => healthy.Calls.Count == 10, "10 deliveries to the healthy destination");
        Assert.Equal([4, 2, 1], stuck.Select(s => s.MaxConcurrent));
        hung.SetResult();
        await f.IdleAsync();
    }

    [Fact]
    public async Task A_domain_with_many_due_messages_keeps_at_most_its_share_of_attempts_and_parks_the_rest()
    {
        await using var f = new QueueFixture(o => (o.MaxActiveMessagesPerDomain, o.InitialDestinationConcurrency) = (6, 2));
        var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = f.AddAgent("mx:stuck.example", FakeDeliveryAgent.Sent());
        stuck.Gate = hung;
        var healthy = f.AddAgent("mx:healthy.example", FakeDeliveryAgent.Sent());
        await f.StartAsync();

        for (int i = 0; i < 50; i++) await Queue(f, $"u{i}@stuck.example");
        await Until(() => Status(f, "mx:stuck.example") is { Sessions: 2, Waiting: 4 }, "2 sessions and 4 waiting attempts");
        for (int i = 0; i < 10; i++) await Queue(f, $"u{i}@healthy.example");
        await Until(() => healthy.Calls.Count == 10, "10 deliveries to the healthy domain");
        Assert.Equal(4, Status(f, "mx:stuck.example")!.Waiting); // the other 44 are parked, holding nothing

        hung.SetResult();
        await f.IdleAsync();
        Assert.Equal(50, stuck.Calls.Count);
        Assert.Empty(f.Spool.List(QueueState.Active));
    }
}
