using Microsoft.Extensions.Options;
using Postbote.Core.Envelope;
using static Postbote.Queue.Tests.QueueFixture;

namespace Postbote.Queue.Tests;

public class QueueManagerLifecycleTests
{
    [Fact]
    public async Task Stop_during_a_delivery_cancels_it_and_the_recipient_stays_pending()
    {
        await using var f = new QueueFixture();
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent());
        mx.Gate = new TaskCompletionSource(); // never opened: only cancellation ends the call
        await f.StartAsync();
        await f.Spool.EnqueueAsync(OriginalMessage, new QueuedMessage { ArrivalTime = Start, ReversePath = Sender, Recipients = [To("bob@example.net")] }, CancellationToken.None);
        Assert.True(await mx.Entered.WaitAsync(Settle));

        await f.Manager.StopAsync(CancellationToken.None).WaitAsync(Settle);

        var envelope = f.Spool.List(QueueState.Active).Single();
        Assert.Equal(RecipientState.Pending, envelope.Recipients[0].State);
        Assert.False(f.Manager.IsRunning);
    }

    [Fact]
    public void Wrong_setting_is_refused_with_its_name()
    {
        var e = Assert.Throws<ArgumentException>(() => new QueueManagerOptions { MaximalBackoff = TimeSpan.FromMinutes(1) }.Validate());
        Assert.Contains("MaximalBackoff", e.Message);
    }

    [Fact]
    public void Defaults_follow_Postfix()
    {
        var o = new QueueManagerOptions { Hostname = "mx.example.org" };
        Assert.Equal(TimeSpan.FromMinutes(5), o.MinimalBackoff);
        Assert.Equal(TimeSpan.FromHours(4), o.MaximalBackoff);
        Assert.Equal(TimeSpan.FromDays(5), o.MaximalQueueLifetime);
        Assert.Equal(TimeSpan.FromHours(4), o.DelayWarningAfter);
        Assert.Equal("postmaster@mx.example.org", o.EffectivePostmaster);
        o.Validate();
    }
}
