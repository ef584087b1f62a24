using Npgsql;
using Postbote.TestSupport.Peers;

namespace Postbote.Directory.Tests.Postgres;

/// <summary>The private test cluster itself: it starts, serves Npgsql over loopback TCP, keeps committed rows across a
/// restart, and leaves nothing behind.</summary>
public sealed class PostgresTestClusterTests
{
    [Fact]
    public async Task Starts_serves_a_fresh_database_survives_a_restart_and_is_removed()
    {
        string work;
        await using (var cluster = new PostgresTestCluster())
        {
            await cluster.InitializeAsync();
            work = cluster.WorkDirectory;
            Assert.True(cluster.Port > 0);
            var cs = await cluster.CreateDatabaseAsync();
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("CREATE TABLE t(v text); INSERT INTO t VALUES ('kept'); SELECT current_user", conn);
                Assert.Equal("postgres", await cmd.ExecuteScalarAsync());
            }
            NpgsqlConnection.ClearAllPools();
            await cluster.RestartAsync("immediate");
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("SELECT v FROM t", conn);
                Assert.Equal("kept", await cmd.ExecuteScalarAsync());
            }
            Assert.Equal("kept", await cluster.PsqlAsync("SELECT v FROM t", cs.Split("Database=")[1]));
            NpgsqlConnection.ClearAllPools();
        }
        Assert.False(System.IO.Directory.Exists(work));
    }
}
