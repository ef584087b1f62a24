using System.Runtime.InteropServices;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;

namespace Postbote.IntegrationTests.Security;

/// <summary>The umask is process-wide: these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(PermissiveUmask), DisableParallelization = true)]
public sealed class PermissiveUmask;

/// <summary>
/// What the server creates is private whatever the umask it was started with (a umask of 000 from a careless
/// service manager or shell): the data directory 0750; the TLS key, the directory database (password keys), queue
/// files and Maildir messages 0600; queue and Maildir directories 0700. Checked under umask 000.
/// </summary>
[Collection(nameof(PermissiveUmask))]
public sealed class FileModeTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = Private | UnixFileMode.UserExecute;
    private const UnixFileMode DataDirectoryMode = PrivateDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint SetUmask(uint mask);

    private static void AssertMode(UnixFileMode expected, string path) =>
        Assert.True(File.GetUnixFileMode(path) == expected, $"{path}: {File.GetUnixFileMode(path)}, expected {expected}");

    [Fact]
    public async Task Files_and_directories_the_server_creates_are_private_even_under_umask_000()
    {
        var parent = Path.Combine(Path.GetTempPath(), "postbote-modes-" + Guid.NewGuid().ToString("N")[..12]);
        var previous = SetUmask(0);
        try
        {
            var data = Path.Combine(parent, "queued");
            await using (var server = await PostboteTestServer.StartAsync(o => o.DataDirectory = data))
            {
                await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "bob@test.local", "held", "body"),
                    "x@remote.example", "bob@test.local");
                var queued = Assert.Single(server.Queued());

                AssertMode(DataDirectoryMode, data);
                AssertMode(Private, Path.Combine(data, "tls", "selfsigned-key.pem"));
                AssertMode(Private, Path.Combine(data, "directory.db"));
                foreach (var sidecar in new[] { "directory.db-wal", "directory.db-shm" })
                    if (File.Exists(Path.Combine(data, sidecar))) AssertMode(Private, Path.Combine(data, sidecar));
                AssertMode(Private, server.Spool.MessagePath(queued.QueueId));
                foreach (var envelope in System.IO.Directory.EnumerateFiles(Path.Combine(data, "queue"), queued.QueueId + "*", SearchOption.AllDirectories))
                    AssertMode(Private, envelope);
                AssertMode(PrivateDirectory, server.Spool.Root);
                AssertMode(PrivateDirectory, server.Spool.MessageDirectory);
                AssertMode(PrivateDirectory, server.Spool.TempDirectory);
            }

            var delivering = Path.Combine(parent, "delivered");
            await using (var server = await LocalMail.StartDeliveringAsync(o => o.DataDirectory = delivering))
            {
                await server.AddUserAsync("bob@test.local", "pw-bob-1");
                await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("x@remote.example", "bob@test.local", "delivered", "body"),
                    "x@remote.example", "bob@test.local");
                var maildir = LocalMail.MaildirOf(delivering, "bob@test.local");
                var file = Assert.Single(await LocalMail.WaitForMessagesAsync(maildir));
                AssertMode(Private, file);
                foreach (var sub in new[] { "..", "", "new", "cur", "tmp" }) AssertMode(PrivateDirectory, Path.GetFullPath(Path.Combine(maildir, sub)));
            }
        }
        finally
        {
            SetUmask(previous);
            try { System.IO.Directory.Delete(parent, recursive: true); } catch (IOException) { }
        }
    }
}
