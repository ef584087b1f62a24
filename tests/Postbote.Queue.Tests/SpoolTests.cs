using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Postbote.Core.Envelope;

namespace Postbote.Queue.Tests;

public sealed class SpoolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "postbote-spool-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(QueueFixture.Start);

    private Spool NewSpool() => new(_directory, _time, NullLogger<Spool>.Instance);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Enqueued_message_survives_a_restart_byte_for_byte()
    {
        var spool = NewSpool();
        var id = await spool.EnqueueAsync(QueueFixture.OriginalMessage, new QueuedMessage { ReversePath = "a@b.example", Recipients = [new() { Address = "c@d.example" }] }, CancellationToken.None);

        var again = NewSpool();
        Assert.Equal(1, again.Recover().Resumed);
        var (envelope, state) = again.Find(id)!.Value;
        Assert.Equal(QueueState.Active, state);
        Assert.Equal(QueueFixture.OriginalMessage.Length, envelope.Size);
        await using var stream = again.OpenMessage(id);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(QueueFixture.OriginalMessage, copy.ToArray());
    }

    [Fact]
    public async Task Update_after_the_message_was_put_on_hold_does_not_resurrect_it_in_active()
    {
        var spool = NewSpool();
        var envelope = new QueuedMessage { ReversePath = "a@b.example", Recipients = [new() { Address = "c@d.example" }] };
        var id = await spool.EnqueueAsync(QueueFixture.OriginalMessage, envelope, CancellationToken.None);
        Assert.True(spool.Move(id, QueueState.Active, QueueState.Hold));

        Assert.False(await spool.UpdateAsync(envelope, QueueState.Active, CancellationToken.None));

        Assert.False(File.Exists(spool.EnvelopePath(id, QueueState.Active)));
    }

    [Fact]
    public async Task Subscriber_that_throws_does_not_fail_a_commit_that_is_already_durable()
    {
        // The event runs after the message is on disk: a throwing subscriber must not make the SMTP session answer
        // an error for a message it has in fact queued (the client would send it again).
        var spool = NewSpool();
        spool.MessageCommitted += _ => throw new InvalidOperationException("subscriber bug");
        var id = await spool.EnqueueAsync(QueueFixture.OriginalMessage,
            new QueuedMessage { ReversePath = "a@b.example", Recipients = [new() { Address = "c@d.example" }] }, CancellationToken.None);
        Assert.Equal(id, Assert.Single(spool.List(QueueState.Active)).QueueId);
    }
}
