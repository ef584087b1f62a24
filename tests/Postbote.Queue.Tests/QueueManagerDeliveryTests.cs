using System.Text;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;
using static Postbote.Queue.Tests.QueueFixture;

namespace Postbote.Queue.Tests;

public class QueueManagerDeliveryTests
{
    [Fact]
    public async Task Delivered_message_is_removed_from_the_spool_and_logged()
    {
        await using var f = new QueueFixture();
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent());
        await f.StartAsync();

        var id = await f.EnqueueAsync(Sender, To("bob@example.net"));

        Assert.Single(mx.Calls);
        Assert.Equal(OriginalMessage, mx.Calls[0].Message);
        Assert.Equal(Sender, mx.Calls[0].Request.ReversePath);
        Assert.Null(f.Spool.Find(id));
        Assert.Contains($"{id}: to=<bob@example.net>, relay=mx.example.net[192.0.2.7]:25, delay=0, dsn=2.0.0, status=sent (250 2.0.0 Ok)", f.Logs.MailLog());
        Assert.Contains($"{id}: removed", f.Logs.MailLog());
        Assert.Empty(f.Sink.Calls);
    }

    [Fact]
    public async Task Recipients_are_grouped_by_next_hop()
    {
        await using var f = new QueueFixture();
        var net = f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent());
        var org = f.AddAgent("mx:example.org", FakeDeliveryAgent.Sent());
        await f.StartAsync();

        await f.EnqueueAsync(Sender, To("bob@example.net"), To("carol@example.org"), To("dave@EXAMPLE.net"));

        Assert.Equal(["bob@example.net", "dave@EXAMPLE.net"], net.Calls.Single().Request.Recipients.Select(r => r.Address));
        Assert.Equal(["carol@example.org"], org.Calls.Single().Request.Recipients.Select(r => r.Address));
    }

    [Fact]
    public async Task Recipients_per_delivery_are_limited()
    {
        await using var f = new QueueFixture(o => o.MaxRecipientsPerDelivery = 2);
        var net = f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent());
        await f.StartAsync();

        await f.EnqueueAsync(Sender, To("a@example.net"), To("b@example.net"), To("c@example.net"));

        Assert.Equal([2, 1], net.Calls.Select(c => c.Request.Recipients.Count).Order().Reverse());
    }

    [Fact]
    public async Task Prepended_headers_are_sent_before_the_stored_bytes()
    {
        await using var f = new QueueFixture();
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent());
        await f.StartAsync();
        var envelope = new QueuedMessage
        {
            ArrivalTime = f.Time.GetUtcNow(), ReversePath = Sender, Recipients = [To("bob@example.net")],
            PrependHeaders = ["DKIM-Signature: v=1; a=rsa-sha256; d=sender.example;\r\n b=abc\r\n"],
        };
        await f.Spool.EnqueueAsync(OriginalMessage, envelope, CancellationToken.None);
        await f.IdleAsync();

        var expected = Encoding.ASCII.GetBytes("DKIM-Signature: v=1; a=rsa-sha256; d=sender.example;\r\n b=abc\r\n").Concat(OriginalMessage).ToArray();
        Assert.Equal(expected, mx.Calls.Single().Message);
        Assert.Equal(expected.Length, mx.Calls.Single().Request.Size);
    }

    [Fact]
    public async Task Omitted_ranges_are_left_out_at_delivery_and_the_folder_reaches_the_agent_the_stored_file_unchanged()
    {
        await using var f = new QueueFixture();
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent());
        await f.StartAsync();
        var stored = Encoding.ASCII.GetBytes("Received: by us\r\nAuthentication-Results: mx.test; dkim=pass\r\nSubject: x\r\nAuthentication-Results: mx.test;\r\n\tspf=pass\r\n\r\nbody\r\n");
        var first = "Received: by us\r\n".Length;
        var second = "Received: by us\r\nAuthentication-Results: mx.test; dkim=pass\r\nSubject: x\r\n".Length;
        var envelope = new QueuedMessage
        {
            ArrivalTime = f.Time.GetUtcNow(), ReversePath = Sender, Recipients = [To("bob@example.net")],
            PrependHeaders = ["Authentication-Results: mx.test; none\r\n"],
            OmitRanges = [new ByteRange(first, "Authentication-Results: mx.test; dkim=pass\r\n".Length), new ByteRange(second, "Authentication-Results: mx.test;\r\n\tspf=pass\r\n".Length)],
            Folder = "Junk",
        };
        await f.Spool.EnqueueAsync(stored, envelope, CancellationToken.None);
        await f.IdleAsync();

        var expected = Encoding.ASCII.GetBytes("Authentication-Results: mx.test; none\r\nReceived: by us\r\nSubject: x\r\n\r\nbody\r\n");
        var call = mx.Calls.Single();
        Assert.Equal(Encoding.ASCII.GetString(expected), Encoding.ASCII.GetString(call.Message));
        Assert.Equal(expected.Length, call.Request.Size);
        Assert.Equal("Junk", call.Request.Folder);
    }

    [Fact]
    public async Task Partial_success_keeps_only_pending_recipients_and_a_restart_never_resends_to_delivered_ones()
    {
        await using var f = new QueueFixture();
        var net = f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent());
        var slow = f.AddAgent("mx:slow.example", FakeDeliveryAgent.Deferred());
        await f.StartAsync();

        var id = await f.EnqueueAsync(Sender, To("bob@example.net"), To("carol@slow.example"));

        var (envelope, state) = f.Spool.Find(id)!.Value;
        Assert.Equal(QueueState.Active, state);
        Assert.Equal(RecipientState.Delivered, envelope.Recipients[0].State);
        Assert.Equal(RecipientState.Pending, envelope.Recipients[1].State);
        Assert.Equal("4.4.1", envelope.Recipients[1].Status);
        Assert.Equal("mx.example.net[192.0.2.7]:25", envelope.Recipients[1].RemoteMta);
        Assert.Equal(1, envelope.Recipients[1].Attempts);
        Assert.Equal(Start + TimeSpan.FromMinutes(5), envelope.NextAttempt);
        Assert.Contains(f.Logs.MailLog(), l => l.Contains("to=<carol@slow.example>") && l.Contains("dsn=4.4.1, status=deferred (connect to"));

        await f.RestartAsync();
        Assert.Single(slow.Calls); // not due yet after the restart
        slow.Calls.Clear();
        f.Router.Agents["mx:slow.example"] = slow = new FakeDeliveryAgent("smtp", f.Time, FakeDeliveryAgent.Sent());
        await f.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.Single(net.Calls);
        Assert.Equal(["carol@slow.example"], slow.Calls.Single().Request.Recipients.Select(r => r.Address));
        Assert.Null(f.Spool.Find(id));
    }

    [Fact]
    public async Task Restart_resumes_a_message_that_was_due()
    {
        await using var f = new QueueFixture();
        await f.StartAsync();
        // Queued while no transport existed: stays pending.
        var id = await f.EnqueueAsync(Sender, To("bob@example.net"));
        Assert.NotNull(f.Spool.Find(id));
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent());
        f.Time.Advance(TimeSpan.FromHours(1));
        await f.RestartAsync();

        Assert.Single(mx.Calls);
        Assert.Null(f.Spool.Find(id));
    }

    [Fact]
    public async Task Local_recipient_without_a_local_transport_stays_pending_with_a_clear_status()
    {
        await using var f = new QueueFixture();
        f.Router.LocalDomains.Add("example.org");
        await f.StartAsync();

        var id = await f.EnqueueAsync(Sender, To("bob@example.org"));

        var r = f.Spool.Find(id)!.Value.Envelope.Recipients.Single();
        Assert.Equal(RecipientState.Pending, r.State);
        Assert.Equal("4.3.0", r.Status);
        Assert.Equal("no transport for local:example.org yet; mail stays queued", r.Diagnostic);
        Assert.Contains(f.Logs.MailLog(), l => l.Contains("relay=none") && l.Contains("status=deferred (no transport for local:example.org yet"));
    }

    [Fact]
    public async Task Temporary_failure_is_retried_at_the_backoff_times()
    {
        await using var f = new QueueFixture(o => o.DelayWarningAfter = TimeSpan.Zero);
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Deferred());
        await f.StartAsync();
        await f.EnqueueAsync(Sender, To("bob@example.net"));

        await f.AdvanceAsync(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Single(mx.Calls);
        await f.AdvanceAsync(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 40; i++) await f.AdvanceAsync(TimeSpan.FromMinutes(1));

        var offsets = mx.Calls.Select(c => (c.At - Start).TotalMinutes).ToArray();
        Assert.Equal([0, 5, 15, 35], offsets);
    }

    [Fact]
    public async Task Backoff_doubles_from_minimal_to_maximal()
    {
        await using var f = new QueueFixture();
        Assert.Equal(TimeSpan.FromMinutes(5), f.Manager.Backoff(1));
        Assert.Equal(TimeSpan.FromMinutes(10), f.Manager.Backoff(2));
        Assert.Equal(TimeSpan.FromMinutes(160), f.Manager.Backoff(6));
        Assert.Equal(TimeSpan.FromHours(4), f.Manager.Backoff(7));
        Assert.Equal(TimeSpan.FromHours(4), f.Manager.Backoff(10_000));
    }

    [Fact]
    public async Task Agent_that_throws_defers_the_recipients()
    {
        await using var f = new QueueFixture();
        f.AddAgent("mx:example.net", (_, _) => throw new InvalidOperationException("bug in agent"));
        await f.StartAsync();

        var id = await f.EnqueueAsync(Sender, To("bob@example.net"));

        var r = f.Spool.Find(id)!.Value.Envelope.Recipients.Single();
        Assert.Equal(RecipientState.Pending, r.State);
        Assert.Equal("4.3.0", r.Status);
    }

    [Fact]
    public async Task Concurrency_is_limited_overall()
    {
        await using var f = new QueueFixture(o => o.MaxConcurrentDeliveries = 2);
        var agent = f.AddAgent("mx:d0.example", FakeDeliveryAgent.Sent());
        for (int i = 1; i < 5; i++) f.Router.Agents[$"mx:d{i}.example"] = agent;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.Gate = gate;
        await f.StartAsync();

        for (int i = 0; i < 5; i++)
            await f.Spool.EnqueueAsync(OriginalMessage, new QueuedMessage { ArrivalTime = f.Time.GetUtcNow(), ReversePath = Sender, Recipients = [To($"u@d{i}.example")] }, CancellationToken.None);
        Assert.True(await agent.Entered.WaitAsync(Settle));
        Assert.True(await agent.Entered.WaitAsync(Settle));
        Assert.Equal(2, agent.Calls.Count);
        gate.SetResult();
        await f.IdleAsync();

        Assert.Equal(5, agent.Calls.Count);
        Assert.Equal(2, agent.MaxConcurrent);
        Assert.Empty(f.Spool.List(QueueState.Active));
    }

    [Fact]
    public async Task Concurrency_is_limited_per_destination()
    {
        await using var f = new QueueFixture(o => o.MaxConcurrentDeliveriesPerDestination = 1);
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent());
        var other = f.AddAgent("mx:example.org", FakeDeliveryAgent.Sent());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mx.Gate = gate;
        await f.StartAsync();

        for (int i = 0; i < 3; i++)
            await f.Spool.EnqueueAsync(OriginalMessage, new QueuedMessage { ArrivalTime = f.Time.GetUtcNow(), ReversePath = Sender, Recipients = [To($"u{i}@example.net")] }, CancellationToken.None);
        Assert.True(await mx.Entered.WaitAsync(Settle));
        // another destination is not blocked
        await f.Spool.EnqueueAsync(OriginalMessage, new QueuedMessage { ArrivalTime = f.Time.GetUtcNow(), ReversePath = Sender, Recipients = [To("x@example.org")] }, CancellationToken.None);
        Assert.True(await other.Entered.WaitAsync(Settle));
        Assert.Single(mx.Calls);
        gate.SetResult();
        await f.IdleAsync();

        Assert.Equal(3, mx.Calls.Count);
        Assert.Equal(1, mx.MaxConcurrent);
    }
}
