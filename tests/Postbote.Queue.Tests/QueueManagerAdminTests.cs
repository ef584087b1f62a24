using MimeKit;
using Postbote.Core.Envelope;
using static Postbote.Queue.Tests.QueueFixture;

namespace Postbote.Queue.Tests;

public class QueueManagerAdminTests
{
    [Fact]
    public async Task Held_message_is_not_delivered_until_released()
    {
        await using var f = new QueueFixture();
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Deferred());
        await f.StartAsync();
        var id = await f.EnqueueAsync(Sender, To("bob@example.net"));

        Assert.True(await f.Manager.HoldAsync(id));
        Assert.False(await f.Manager.HoldAsync(id));
        Assert.Equal(QueueState.Hold, f.Spool.Find(id)!.Value.State);
        await f.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Single(mx.Calls);

        f.Router.Agents["mx:example.net"] = mx = new FakeDeliveryAgent("smtp", f.Time, FakeDeliveryAgent.Sent());
        Assert.True(await f.Manager.ReleaseAsync(id));
        await f.IdleAsync();

        Assert.Single(mx.Calls);
        Assert.Null(f.Spool.Find(id));
    }

    [Fact]
    public async Task Hold_during_a_delivery_in_progress_waits_for_it_and_keeps_its_results()
    {
        await using var f = new QueueFixture();
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Deferred());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mx.Gate = gate;
        await f.StartAsync();
        await f.Spool.EnqueueAsync(OriginalMessage, new QueuedMessage { ArrivalTime = Start, ReversePath = Sender, Recipients = [To("bob@example.net")] }, CancellationToken.None);
        Assert.True(await mx.Entered.WaitAsync(Settle));
        var id = f.Spool.List(QueueState.Active).Single().QueueId;

        var hold = f.Manager.HoldAsync(id);
        Assert.False(hold.IsCompleted);
        gate.SetResult();
        Assert.True(await hold.WaitAsync(Settle));
        await f.IdleAsync();

        var (envelope, state) = f.Spool.Find(id)!.Value;
        Assert.Equal(QueueState.Hold, state);
        Assert.Equal(1, envelope.Recipients[0].Attempts);
        Assert.Empty(f.Spool.List(QueueState.Active));
        await f.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Single(mx.Calls);
    }

    [Fact]
    public async Task Delete_removes_an_active_or_held_message_without_notice()
    {
        await using var f = new QueueFixture();
        f.AddAgent("mx:example.net", FakeDeliveryAgent.Deferred());
        await f.StartAsync();
        var a = await f.EnqueueAsync(Sender, To("bob@example.net"));
        var b = await f.EnqueueAsync(Sender, To("carol@example.net"));
        await f.Manager.HoldAsync(b);

        Assert.True(await f.Manager.DeleteAsync(a));
        Assert.True(await f.Manager.DeleteAsync(b.ToLowerInvariant()));
        Assert.False(await f.Manager.DeleteAsync(a));
        Assert.False(await f.Manager.DeleteAsync("../../etc/x"));

        Assert.Null(f.Spool.Find(a));
        Assert.Null(f.Spool.Find(b));
        Assert.False(File.Exists(f.Spool.MessagePath(a)));
        await f.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Empty(f.Sink.Calls);
        Assert.Contains($"{a}: removed", f.Logs.MailLog());
    }

    [Fact]
    public async Task Flush_makes_deferred_messages_due_now_by_domain_or_id()
    {
        await using var f = new QueueFixture();
        var net = f.AddAgent("mx:example.net", FakeDeliveryAgent.Deferred());
        var org = f.AddAgent("mx:example.org", FakeDeliveryAgent.Deferred());
        await f.StartAsync();
        var id = await f.EnqueueAsync(Sender, To("bob@example.net"));
        await f.EnqueueAsync(Sender, To("carol@example.org"));

        Assert.Equal(1, await f.Manager.FlushAsync("Example.NET"));
        await f.IdleAsync();
        Assert.Equal(2, net.Calls.Count);
        Assert.Single(org.Calls);

        Assert.True(await f.Manager.FlushMessageAsync(id));
        await f.IdleAsync();
        Assert.Equal(3, net.Calls.Count);

        Assert.Equal(2, await f.Manager.FlushAsync());
        await f.IdleAsync();
        Assert.Equal(4, net.Calls.Count);
        Assert.Equal(2, org.Calls.Count);
        Assert.All(net.Calls, c => Assert.Equal(Start, c.At));
        Assert.False(await f.Manager.FlushMessageAsync("000000000000"));
    }

    [Fact]
    public async Task Bounce_now_returns_the_message_with_a_DSN_and_removes_it()
    {
        await using var f = new QueueFixture();
        f.AddAgent("mx:example.net", FakeDeliveryAgent.Deferred());
        await f.StartAsync();
        var id = await f.EnqueueAsync(Sender, To("bob@example.net"));

        Assert.True(await f.Manager.BounceNowAsync(id));
        await f.IdleAsync();

        Assert.Null(f.Spool.Find(id));
        var status = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(f.Notices().Single().Body)[1]);
        Assert.Equal("failed", status.StatusGroups[1]["Action"]);
        Assert.Equal("5.0.0", status.StatusGroups[1]["Status"]);
        Assert.False(await f.Manager.BounceNowAsync(id));
    }

    /// <summary>RFC 1985 §5: 250/253 when something was queued for the node, 251 when nothing was.</summary>
    [Fact]
    public async Task Etrn_starts_delivery_for_a_node_with_queued_mail()
    {
        await using var f = new QueueFixture();
        var net = f.AddAgent("mx:example.net", FakeDeliveryAgent.Deferred());
        var sub = f.AddAgent("mx:relay.example.net", FakeDeliveryAgent.Deferred());
        await f.StartAsync();
        await f.EnqueueAsync(Sender, To("bob@example.net"));
        await f.EnqueueAsync(Sender, To("carol@relay.example.net"));

        Assert.Equal(new EtrnResult(EtrnOutcome.QueueingStarted, 1), f.Manager.Etrn("example.net"));
        await f.IdleAsync();
        Assert.Equal(2, net.Calls.Count);
        Assert.Single(sub.Calls);

        Assert.Equal(new EtrnResult(EtrnOutcome.QueueingStarted, 2), f.Manager.Etrn("@example.net"));
        await f.IdleAsync();
        Assert.Equal(2, sub.Calls.Count);

        Assert.Equal(EtrnOutcome.NoMessages, f.Manager.Etrn("example.org").Outcome);
        Assert.Equal(EtrnOutcome.Unable, f.Manager.Etrn("#queue").Outcome);
        await f.Manager.StopAsync(CancellationToken.None);
        Assert.Equal(EtrnOutcome.Unable, f.Manager.Etrn("example.net").Outcome);
    }
}
