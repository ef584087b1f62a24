using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Postbote.Configuration;
using Postbote.Hosting;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.Queue;

namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>
/// Issue 11, "disk full / write errors in DATA": the whole data directory on a small tmpfs that the test mounts.
/// A write that fails in DATA or BDAT is answered (452 4.3.1) with the session kept in sync and usable; MAIL is
/// refused while free space is under Limits:SpoolMinimumFreeBytes (1.5 × the size limit); mail is accepted again
/// once space is freed, without a restart; after a restart every acknowledged message is intact.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private const long SizeLimit = 1024 * 1024; // the minimum free space is then 1.5 MiB
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "postbote-diskfull-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly bool _mounted;

    public DiskFullTests()
    {
        System.IO.Directory.CreateDirectory(_mount);
        _mounted = Tmpfs.Mount(_mount, "8m") is null;
    }

    public void Dispose()
    {
        if (_mounted) Tmpfs.Unmount(_mount);
        try { System.IO.Directory.Delete(_mount, recursive: true); } catch (IOException) { }
    }

    private sealed class TmpfsFactAttribute : FactAttribute
    {
        public TmpfsFactAttribute()
        {
            var probe = Path.Combine(Path.GetTempPath(), "postbote-tmpfs-probe-" + Guid.NewGuid().ToString("N")[..8]);
            System.IO.Directory.CreateDirectory(probe);
            var refused = Tmpfs.Mount(probe, "64k");
            if (refused is null) Tmpfs.Unmount(probe);
            else Skip = "cannot mount a tmpfs for the disk-full test (needs root): " + refused;
            System.IO.Directory.Delete(probe);
        }
    }

    private static class Tmpfs
    {
        /// <summary>Null when mounted, else why not.</summary>
        public static string? Mount(string dir, string size) => Run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", dir);
        public static void Unmount(string dir) => Run("umount", "-l", dir);

        private static string? Run(string file, params string[] args)
        {
            try
            {
                var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in args) start.ArgumentList.Add(a);
                using var p = Process.Start(start)!;
                if (!p.WaitForExit(10_000)) { p.Kill(); return file + " did not finish"; }
                return p.ExitCode == 0 ? null : $"{file} exited {p.ExitCode}: {p.StandardError.ReadToEnd().Trim()}";
            }
            catch (System.ComponentModel.Win32Exception e) { return e.Message; }
        }
    }

    private static async Task<WebApplication> StartAsync(string dataDirectory)
    {
        var options = PostboteTestServer.DefaultOptions(dataDirectory);
        options.Limits.MessageSizeBytes = SizeLimit;
        var app = await ServerHost.BuildAsync(ConfigurationLoader.Resolve(options), l => l.AddProvider(new CapturingLoggerProvider()));
        await app.StartAsync();
        return app;
    }

    private static int MxPort(WebApplication app) =>
        new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

    private static async Task<RawSmtpClient> TransactionAsync(int port)
    {
        var c = await RawSmtpClient.ConnectAsync(port);
        Assert.StartsWith("220 ", await c.ReadAsync());
        Assert.StartsWith("250 ", await c.CommandAsync("EHLO client.example"));
        Assert.Equal("250 2.1.0 Ok", await c.CommandAsync("MAIL FROM:<a@remote.example>"));
        Assert.Equal("250 2.1.5 Ok", await c.CommandAsync("RCPT TO:<x@test.local>"));
        return c;
    }

    private static string Body(char fill, int lines) => $"Subject: {fill}\r\n\r\n" + string.Concat(Enumerable.Repeat(new string(fill, 98) + "\r\n", lines));

    /// <summary>Writes a file until the file system is full; returns its path.</summary>
    private static string Fill(string dir)
    {
        var path = Path.Combine(dir, "filler");
        var block = new byte[64 * 1024];
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        try
        {
            for (int i = 0; i < 10_000; i++) fs.Write(block);
        }
        catch (IOException) { return path; }
        throw new InvalidOperationException("the tmpfs never filled up");
    }

    [TmpfsFact]
    public async Task DiskFullInDataAndBdat_Gets452_4_3_1_SessionStaysUsable_MailAcceptedAgainOnceFreed_AndSurvivesRestart()
    {
        var data = Path.Combine(_mount, "data");
        var acknowledged = new Dictionary<string, string>();
        var app = await StartAsync(data);
        try
        {
            int port = MxPort(app);
            await using (var c = await TransactionAsync(port))
            {
                Assert.StartsWith("354 ", await c.CommandAsync("DATA"));
                var body = Body('a', 1000); // 100 KB
                var reply = await c.CommandAsync(body + ".");
                Assert.StartsWith("250 2.0.0 Ok: queued as ", reply);
                acknowledged[reply[^12..]] = body;
            }

            await using var viaData = await TransactionAsync(port);
            await using var viaBdat = await TransactionAsync(port);
            var filler = Fill(_mount);

            Assert.StartsWith("354 ", await viaData.CommandAsync("DATA"));
            Assert.Equal("452 4.3.1 Insufficient system storage", await viaData.CommandAsync(Body('b', 3000) + "."));
            Assert.Equal("250 2.0.0 Ok", await viaData.CommandAsync("NOOP")); // read to the end of the data: in sync
            var chunk = Body('c', 3000);
            Assert.Equal("452 4.3.1 Insufficient system storage", await viaBdat.CommandAsync($"BDAT {chunk.Length} LAST\r\n{chunk}"[..^2]));
            Assert.Equal("250 2.0.0 Ok", await viaBdat.CommandAsync("NOOP"));
            // Under the minimum free space: MAIL is refused before any data is sent.
            Assert.Equal("452 4.3.1 Insufficient system storage", await viaData.CommandAsync("MAIL FROM:<a@remote.example>"));

            File.Delete(filler);
            // Free again: accepted without a restart, once the cached free-space figure (at most 1 s old) is renewed.
            string mail = "";
            for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(10);)
            {
                mail = await viaData.CommandAsync("MAIL FROM:<a@remote.example>");
                if (mail.StartsWith("250", StringComparison.Ordinal)) break;
                Assert.Equal("452 4.3.1 Insufficient system storage", mail);
                await Task.Delay(100);
            }
            Assert.Equal("250 2.1.0 Ok", mail);
            Assert.Equal("250 2.1.5 Ok", await viaData.CommandAsync("RCPT TO:<x@test.local>"));
            Assert.StartsWith("354 ", await viaData.CommandAsync("DATA"));
            var second = Body('d', 2000);
            var queued = await viaData.CommandAsync(second + ".");
            Assert.StartsWith("250 2.0.0 Ok: queued as ", queued);
            acknowledged[queued[^12..]] = second;
            Assert.Equal("221 2.0.0 Bye", await viaData.CommandAsync("QUIT"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        app = await StartAsync(data);
        try
        {
            var spool = app.Services.GetRequiredService<Spool>();
            var queued = spool.List(QueueState.Active).ToDictionary(e => e.QueueId);
            Assert.Equal(acknowledged.Keys.Order(), queued.Keys.Order());
            foreach (var (id, body) in acknowledged)
            {
                var stored = Encoding.ASCII.GetString(File.ReadAllBytes(spool.MessagePath(id)));
                Assert.EndsWith("\r\n" + body, stored);
                Assert.Equal(stored.Length, queued[id].Size);
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
