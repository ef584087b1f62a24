using Postbote.Core.Delivery;

namespace Postbote.Queue.Tests;

/// <summary>The concurrency feedback and the dead state of one destination, as documented on <see cref="DestinationQueue"/>.</summary>
public class DestinationQueueTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly RecipientResult Refused = RecipientResult.Temporary("b@x.example", "4.3.2", "host refused to talk to me: 421", "mx.x.example[192.0.2.1]:25", FailureScope.Site);

    [Fact]
    public void Window_starts_at_the_initial_concurrency_and_grows_by_one_per_window_of_successes_up_to_the_limit()
    {
        var d = new DestinationQueue("mx:x.example", 5, 7);
        Assert.Equal(5, d.Window);
        for (int i = 0; i < 4; i++) d.Succeeded();
        Assert.Equal(5, d.Window);
        d.Succeeded();
        Assert.Equal(6, d.Window);
        for (int i = 0; i < 6; i++) d.Succeeded();
        Assert.Equal(7, d.Window);
        for (int i = 0; i < 100; i++) d.Succeeded();
        Assert.Equal(7, d.Window);
    }

    [Fact]
    public void Each_failed_session_narrows_the_window_by_one_never_below_one_and_clears_the_credits()
    {
        var d = new DestinationQueue("mx:x.example", 5, 20);
        for (int i = 0; i < 4; i++) d.Succeeded();
        d.Failed(Refused, Now, TimeSpan.FromMinutes(5), failureLimit: 100);
        Assert.Equal(4, d.Window);
        d.Succeeded(); // the four credits before the failure are gone: no growth yet
        Assert.Equal(4, d.Window);
        for (int i = 0; i < 10; i++) d.Failed(Refused, Now, TimeSpan.FromMinutes(5), failureLimit: 100);
        Assert.Equal(1, d.Window);
    }

    [Fact]
    public void Destination_is_dead_after_the_failure_limit_until_the_retry_time_and_a_success_revives_it()
    {
        var d = new DestinationQueue("mx:x.example", 5, 20);
        for (int i = 0; i < 4; i++) Assert.False(d.Failed(Refused, Now, TimeSpan.FromMinutes(5), failureLimit: 5));
        Assert.False(d.IsDead(Now));
        Assert.True(d.Failed(Refused, Now, TimeSpan.FromMinutes(5), failureLimit: 5));
        Assert.True(d.IsDead(Now + TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1)));
        Assert.False(d.IsDead(Now + TimeSpan.FromMinutes(5)));
        // The probe after the retry time fails: dead again at once.
        Assert.True(d.Failed(Refused, Now + TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), failureLimit: 5));
        Assert.True(d.IsDead(Now + TimeSpan.FromMinutes(6)));
        d.Succeeded();
        Assert.False(d.IsDead(Now + TimeSpan.FromMinutes(6)));
        Assert.Equal(0, d.ConsecutiveFailures);
    }

    [Fact]
    public void One_destination_holds_at_most_its_share_of_the_slots_others_leave_free()
    {
        var d = new DestinationQueue("mx:x.example", 100, 100) { InUse = 49 };
        Assert.True(d.CanStart(inUseOverall: 49, total: 100, share: 0.5));
        d.InUse = 50;
        Assert.False(d.CanStart(inUseOverall: 50, total: 100, share: 0.5));
        // A second stuck destination beside one holding 50 gets a quarter; a lone slot is always allowed.
        var second = new DestinationQueue("mx:y.example", 100, 100) { InUse = 25 };
        Assert.False(second.CanStart(inUseOverall: 75, total: 100, share: 0.5));
        var newcomer = new DestinationQueue("mx:z.example", 5, 20);
        Assert.True(newcomer.CanStart(inUseOverall: 99, total: 100, share: 0.5));
        Assert.False(newcomer.CanStart(inUseOverall: 100, total: 100, share: 0.5));
    }

    [Fact]
    public void Only_sessions_failed_as_a_whole_count_as_failures()
    {
        var ok = RecipientResult.Success("a@x.example", DeliveryAction.Relayed, "250 Ok", "mx");
        var unknown = RecipientResult.Permanent("a@x.example", "5.1.1", "550 unknown", "mx", FailureScope.Recipient);
        var noDomain = RecipientResult.Permanent("a@x.example", "5.1.2", "no such domain", null, FailureScope.Site);
        Assert.True(DestinationQueue.Judge([ok, Refused]));
        Assert.True(DestinationQueue.Judge([unknown]));
        Assert.False(DestinationQueue.Judge([Refused, Refused with { Scope = FailureScope.Session }]));
        Assert.Null(DestinationQueue.Judge([noDomain]));
        Assert.Null(DestinationQueue.Judge([]));
    }
}
