using System.Diagnostics;
using Postbote.TestSupport.Peers;

namespace Postbote.Directory.Tests.Postgres;

/// <summary>
/// Issue 16: a change committed through one node's directory is seen by every other node within 1 s (LISTEN/NOTIFY
/// clearing the caches), even with a cache lifetime of an hour, and still after the listener's connection is killed.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChangeNotificationTests(PostgresTestCluster pg) : IAsyncLifetime
{
    private static readonly MailDirectoryOptions LongCache = new() { DomainLookupCacheLifetime = TimeSpan.FromHours(1) };
    private DirectoryStore _store = null!;

    public async Task InitializeAsync() => _store = await new PostgresDirectoryProvider(pg).CreateStoreAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    /// <summary>Polls <paramref name="condition"/> until true, at most <paramref name="limit"/>; returns the time it took.</summary>
    private static async Task<TimeSpan> WithinAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 1000 && watch.Elapsed < limit; i++)
        {
            if (await condition()) return watch.Elapsed;
            await Task.Delay(10);
        }
        Assert.Fail($"not seen within {limit}");
        return watch.Elapsed;
    }

    private async Task<(SqlMailDirectory A, PostgresMailDirectory B)> TwoNodesAsync()
    {
        var a = await _store.OpenAsync(LongCache);
        var b = (PostgresMailDirectory)await _store.OpenAsync(LongCache);
        b.StartListening();
        await b.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        return (a, b);
    }

    [Fact]
    public async Task A_domain_added_or_removed_on_one_node_is_seen_on_another_within_one_second()
    {
        var (a, b) = await TwoNodesAsync();
        Assert.False(await b.IsLocalDomainAsync("shared.example")); // cached for an hour
        await a.AddDomainAsync("shared.example");
        await WithinAsync(() => b.IsLocalDomainAsync("shared.example"), TimeSpan.FromSeconds(1));
        await a.AddUserAsync("carol@shared.example", "Carol-pw-1");
        Assert.NotNull(await b.FindAsync("carol@shared.example", default));
        Assert.True(await a.RemoveDomainAsync("shared.example", force: true));
        await WithinAsync(async () => !await b.IsLocalDomainAsync("shared.example"), TimeSpan.FromSeconds(1));
        Assert.Null(await b.FindAsync("carol@shared.example", default));
        Assert.True(b.ChangesReceived >= 3);
    }

    [Fact]
    public async Task After_the_listener_connection_is_killed_it_reconnects_and_changes_are_seen_again()
    {
        var (a, b) = await TwoNodesAsync();
        Assert.False(await b.IsLocalDomainAsync("late.example"));
        Assert.Equal(1, b.ListenerConnects);
        var killed = await pg.PsqlAsync("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = 'LISTEN postbote_directory'");
        Assert.Equal("1", killed);
        await WithinAsync(() => Task.FromResult(b.ListenerConnects == 2), TimeSpan.FromSeconds(10));
        Assert.False(await b.IsLocalDomainAsync("late.example"));
        await a.AddDomainAsync("late.example");
        await WithinAsync(() => b.IsLocalDomainAsync("late.example"), TimeSpan.FromSeconds(1));
    }
}
