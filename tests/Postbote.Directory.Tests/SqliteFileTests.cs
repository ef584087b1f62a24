namespace Postbote.Directory.Tests;

/// <summary>What only the SQLite file has: WAL mode, and the file private to its owner (it holds password keys).</summary>
public sealed class SqliteFileTests() : DirectoryTestBase(new SqliteDirectoryProvider())
{
    private string DatabasePath => ((SqliteDirectoryStore)Store).DatabasePath;

    [Fact]
    public async Task Schema_is_created_in_WAL_mode_in_a_private_file()
    {
        Assert.True(File.Exists(DatabasePath));
        await using (var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}"))
        {
            await conn.OpenAsync();
            var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync());
        }
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DatabasePath));
    }
}
