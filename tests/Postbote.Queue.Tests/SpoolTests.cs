using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Postbote.Core.Envelope;

namespace Postbote.Queue.Tests;

public sealed class SpoolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "postbote-spool-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(QueueFixture.Start);

    private Spool NewSpool(SpoolSyncMode mode = SpoolSyncMode.FileSystem) => new(_directory, _time, NullLogger<Spool>.Instance, mode);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(SpoolSyncMode.FileSystem)]
    [InlineData(SpoolSyncMode.Files)]
    public async Task Enqueued_message_survives_a_restart_byte_for_byte(SpoolSyncMode mode)
    {
        var spool = NewSpool(mode);
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

    [Fact]
    public async Task Envelope_records_the_length_and_hash_of_the_stored_bytes()
    {
        var spool = NewSpool();
        var id = await spool.EnqueueAsync(QueueFixture.OriginalMessage, new QueuedMessage { ReversePath = "a@b.example", Recipients = [new() { Address = "c@d.example" }] }, CancellationToken.None);
        var envelope = spool.Find(id)!.Value.Envelope;
        Assert.Equal(QueueFixture.OriginalMessage.Length, envelope.Size);
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64(QueueFixture.OriginalMessage).ToString("x16"), envelope.ContentHash);
    }

    [Fact]
    public async Task After_an_unclean_stop_a_message_whose_bytes_do_not_match_its_envelope_is_moved_to_corrupt()
    {
        // A power loss after the renames of a commit but before its sync may leave the envelope in active/ and a
        // message file of the right length whose blocks never reached the disk (zeros, or a recycled file's old
        // bytes). That commit was never acknowledged; the scan must not deliver it.
        var spool = NewSpool();
        spool.Recover(); // the server's start: sets the in-use marker
        var good = await spool.EnqueueAsync(QueueFixture.OriginalMessage, new QueuedMessage { ReversePath = "a@b.example", Recipients = [new() { Address = "c@d.example" }] }, CancellationToken.None);
        var torn = await spool.EnqueueAsync(QueueFixture.OriginalMessage, new QueuedMessage { ReversePath = "a@b.example", Recipients = [new() { Address = "c@d.example" }] }, CancellationToken.None);
        File.WriteAllBytes(spool.MessagePath(torn), new byte[QueueFixture.OriginalMessage.Length]);
        Assert.True(File.Exists(spool.UncleanMarkerPath));

        var again = NewSpool(); // no MarkCleanStop: the process died
        var report = again.Recover();

        Assert.Equal(1, report.Resumed);
        Assert.Equal(1, report.MovedToCorrupt);
        Assert.Equal(good, Assert.Single(again.List(QueueState.Active)).QueueId);
        Assert.True(File.Exists(again.EnvelopePath(torn, QueueState.Corrupt)));
    }

    [Fact]
    public async Task After_a_clean_stop_the_scan_checks_lengths_but_does_not_read_every_message()
    {
        var spool = NewSpool();
        spool.Recover();
        var id = await spool.EnqueueAsync(QueueFixture.OriginalMessage, new QueuedMessage { ReversePath = "a@b.example", Recipients = [new() { Address = "c@d.example" }] }, CancellationToken.None);
        Assert.True(await spool.MarkCleanStopAsync(TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(spool.UncleanMarkerPath));
        // Same length, other bytes: only a hash would notice, and after a clean stop nothing was left half-done.
        File.WriteAllBytes(spool.MessagePath(id), new byte[QueueFixture.OriginalMessage.Length]);

        var again = NewSpool();
        Assert.Equal(1, again.Recover().Resumed);
        Assert.True(File.Exists(again.UncleanMarkerPath));

        // A message file shorter than its envelope says is caught either way.
        File.WriteAllBytes(again.MessagePath(id), new byte[10]);
        Assert.True(await again.MarkCleanStopAsync(TimeSpan.FromSeconds(10)));
        var third = NewSpool();
        Assert.Equal(1, third.Recover().MovedToCorrupt);
    }

    [Fact]
    public async Task A_cancelled_commit_leaves_nothing_in_the_queue()
    {
        var spool = NewSpool();
        var id = spool.NewQueueId();
        await using var incoming = spool.BeginMessage(id);
        ((IBufferWriter<byte>)incoming).Write(QueueFixture.OriginalMessage);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            spool.CommitAsync(incoming, new QueuedMessage { ReversePath = "a@b.example", Recipients = [new() { Address = "c@d.example" }] }, cancelled.Token));
        Assert.False(File.Exists(spool.EnvelopePath(id, QueueState.Active)));
        Assert.False(File.Exists(spool.MessagePath(id)));
    }

    [Fact]
    public async Task Ids_allocated_after_the_scan_are_newer_than_every_id_in_the_spool()
    {
        var spool = NewSpool();
        var first = await spool.EnqueueAsync(QueueFixture.OriginalMessage, new QueuedMessage { ReversePath = "a@b.example", Recipients = [new() { Address = "c@d.example" }] }, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        var again = NewSpool();
        again.Recover();
        var next = again.NewQueueId();
        Assert.True(string.CompareOrdinal(next, first) > 0, $"{next} should sort after {first}");
    }

    private static QueuedMessage NewEnvelope() => new() { ReversePath = "a@b.example", Recipients = [new() { Address = "c@d.example" }] };

    [Fact]
    public async Task A_commit_under_an_id_already_in_the_spool_fails_and_leaves_the_queued_message_alone()
    {
        // Queue ids can repeat across processes (a clock set back, a local submission racing the server's start);
        // the commit's renames must refuse rather than replace an acknowledged message.
        var spool = NewSpool();
        var id = await spool.EnqueueAsync(QueueFixture.OriginalMessage, NewEnvelope(), CancellationToken.None);
        var before = File.ReadAllBytes(spool.EnvelopePath(id, QueueState.Active));

        var incoming = spool.BeginMessage(id);
        ((IBufferWriter<byte>)incoming).Write("Subject: other\r\n\r\nother\r\n"u8);
        await Assert.ThrowsAnyAsync<IOException>(() => spool.CommitAsync(incoming, NewEnvelope(), CancellationToken.None));
        await incoming.DisposeAsync(); // as the session does with a message it could not queue

        Assert.Equal(before, File.ReadAllBytes(spool.EnvelopePath(id, QueueState.Active)));
        Assert.Equal(QueueFixture.OriginalMessage, File.ReadAllBytes(spool.MessagePath(id)));
        Assert.Empty(System.IO.Directory.GetFiles(spool.TempDirectory).Where(f => !Path.GetFileName(f).StartsWith("recycled.")));
    }

    [Fact]
    public async Task After_a_clean_stop_is_recorded_no_commit_is_accepted()
    {
        var spool = NewSpool();
        spool.Recover();
        Assert.True(await spool.MarkCleanStopAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<IOException>(() => spool.EnqueueAsync(QueueFixture.OriginalMessage, NewEnvelope(), CancellationToken.None));
        Assert.False(File.Exists(spool.UncleanMarkerPath));
        Assert.Empty(spool.List(QueueState.Active));
    }

    [Fact]
    public async Task A_local_submission_without_a_server_sets_the_in_use_marker_itself()
    {
        // `postbote sendmail` with the server down writes straight into the spool: its commit must be verified
        // at the next start if power fails, so it sets the marker even though no start-up scan ran.
        var spool = NewSpool();
        await spool.EnqueueAsync(QueueFixture.OriginalMessage, NewEnvelope(), CancellationToken.None);
        Assert.True(File.Exists(spool.UncleanMarkerPath));
    }

    [Fact]
    public async Task A_removed_file_is_reused_only_after_a_sync_made_its_removal_durable()
    {
        var spool = NewSpool();
        var id = await spool.EnqueueAsync(QueueFixture.OriginalMessage, NewEnvelope(), CancellationToken.None);
        spool.Remove(id);
        // No sync since the removal: a new message gets a fresh file.
        await using (var fresh = spool.BeginMessage(spool.NewQueueId()))
            Assert.DoesNotContain("recycled.", fresh.TempPath);
        // A commit's sync covers the removal's renames; from then on the removed files are reused.
        await spool.EnqueueAsync(QueueFixture.OriginalMessage, NewEnvelope(), CancellationToken.None);
        await using var reused = spool.BeginMessage(spool.NewQueueId());
        Assert.Contains("recycled.", reused.TempPath);
    }

    [Fact]
    public async Task A_second_corrupt_envelope_with_the_same_id_does_not_replace_the_first()
    {
        var spool = NewSpool();
        var id = await spool.EnqueueAsync(QueueFixture.OriginalMessage, NewEnvelope(), CancellationToken.None);
        File.WriteAllText(spool.EnvelopePath(id, QueueState.Corrupt), "{ first }");
        File.WriteAllText(spool.EnvelopePath(id, QueueState.Active), "{ torn");
        Assert.Equal(1, NewSpool().Recover().MovedToCorrupt);
        Assert.Equal("{ first }", File.ReadAllText(spool.EnvelopePath(id, QueueState.Corrupt)));
        Assert.Equal("{ torn", File.ReadAllText(Path.Combine(spool.StateDirectory(QueueState.Corrupt), id + ".1.json")));
        Assert.True(File.Exists(spool.MessagePath(id)), "the message file of a corrupt envelope is kept for inspection");
    }

    [Fact]
    public async Task A_short_envelope_in_a_reused_longer_file_reads_back_whole()
    {
        // Reused envelope files are overwritten in place; the rest of a longer old file is blanked, not left as
        // trailing garbage that would make the JSON unreadable.
        var spool = NewSpool();
        var big = new QueuedMessage { ReversePath = "a@b.example", Recipients = Enumerable.Range(0, 5).Select(i => new QueuedRecipient { Address = $"recipient{i}@d.example" }).ToList() };
        var first = await spool.EnqueueAsync(QueueFixture.OriginalMessage, big, CancellationToken.None);
        spool.Remove(first);
        await spool.EnqueueAsync(QueueFixture.OriginalMessage, NewEnvelope(), CancellationToken.None); // its sync makes the removal durable
        var small = await spool.EnqueueAsync(QueueFixture.OriginalMessage, NewEnvelope(), CancellationToken.None);

        var loaded = spool.Load(small, QueueState.Active)!;
        Assert.Equal("c@d.example", Assert.Single(loaded.Recipients).Address);
        var raw = File.ReadAllBytes(spool.EnvelopePath(small, QueueState.Active));
        Assert.Equal((byte)' ', raw[^1]); // the reused file was longer: its rest was blanked
        Assert.Equal(2, NewSpool().Recover().Resumed);
    }

    [Fact]
    public async Task A_message_begun_before_a_reported_write_error_is_not_acknowledged()
    {
        // syncfs reports a write-back error once, to whichever batch sees it first: the pages lost may belong to a
        // message still being received, whose own sync later succeeds. Such a message must fail (4xx, sent again).
        var spool = NewSpool();
        var before = spool.BeginMessage(spool.NewQueueId());
        ((IBufferWriter<byte>)before).Write(QueueFixture.OriginalMessage);
        spool.SyncFailed();
        await Assert.ThrowsAsync<IOException>(() => spool.CommitAsync(before, NewEnvelope(), CancellationToken.None));
        await before.DisposeAsync();
        Assert.Empty(spool.List(QueueState.Active));
        Assert.Empty(System.IO.Directory.GetFiles(spool.MessageDirectory));

        // A message begun after the error is unaffected.
        var id = await spool.EnqueueAsync(QueueFixture.OriginalMessage, NewEnvelope(), CancellationToken.None);
        Assert.Equal(id, Assert.Single(spool.List(QueueState.Active)).QueueId);
    }
}
