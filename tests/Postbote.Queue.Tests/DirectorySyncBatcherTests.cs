namespace Postbote.Queue.Tests;

public sealed class DirectorySyncBatcherTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "postbote-batcher-" + Guid.NewGuid().ToString("N"));

    public DirectorySyncBatcherTests() => System.IO.Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_sync_slower_than_the_threshold_is_reported_with_its_batch_size(bool fileSystem)
    {
        var reports = new List<(TimeSpan Took, int Files)>();
        var batcher = new DirectorySyncBatcher([_directory], fileSystem ? _directory : null,
            onSlow: (took, files) => { lock (reports) reports.Add((took, files)); }, slowSync: TimeSpan.Zero);
        await using var a = new FileStream(Path.Combine(_directory, "a"), FileMode.Create);
        await using var b = new FileStream(Path.Combine(_directory, "b"), FileMode.Create);
        a.WriteByte(1);
        b.WriteByte(2);

        await batcher.SyncFilesAndDirectoriesAsync(a, b, CancellationToken.None);

        var (took, files) = Assert.Single(reports);
        Assert.Equal(2, files);
        Assert.True(took > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_sync_within_the_threshold_is_not_reported()
    {
        int reports = 0;
        var batcher = new DirectorySyncBatcher([_directory], onSlow: (_, _) => Interlocked.Increment(ref reports), slowSync: TimeSpan.FromMinutes(1));
        await batcher.SyncAsync(CancellationToken.None);
        Assert.Equal(0, reports);
    }

    [Fact]
    public async Task A_failed_sync_is_reported_and_fails_its_waiters()
    {
        // Files mode fsyncs the directories: one that is gone makes the sync fail.
        var missing = Path.Combine(_directory, "gone");
        Exception? reported = null;
        var batcher = new DirectorySyncBatcher([missing], onError: e => reported = e);
        await Assert.ThrowsAnyAsync<IOException>(() => batcher.SyncAsync(CancellationToken.None));
        Assert.NotNull(reported);
        Assert.Equal(0, batcher.CompletedBatches);
    }
}
