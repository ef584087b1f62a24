using System.Net;
using System.Net.Sockets;
using System.Text;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Cli;

/// <summary>
/// Issue 11, the local submission socket (submit.sock, mode 0666): every envelope address goes through the RFC 5321
/// path grammar, unknown local users are refused as on port 25, callers other than root are bound to their own
/// address, and concurrent submissions are capped.
/// </summary>
public sealed class SubmitSocketTests
{
    private const string Message = "Subject: local\r\n\r\nbody\r\n";

    private static HttpClient Client(PostboteTestServer server) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(server.DataDirectory, "submit.sock")), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = new Uri("http://postbote/"), Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient http, string query, HttpContent? content = null)
    {
        using var response = await http.PostAsync("v1/submit?" + query, content ?? new StringContent(Message));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EnvelopeSenderWithCrLfAndSmtpCommands_IsRefused400_NothingQueued()
    {
        await using var server = await PostboteTestServer.StartAsync();
        using var http = Client(server);
        // The reproduced injection: from=a@b.example>\r\nRSET\r\nMAIL FROM:<x@y.example
        var (status, body) = await PostAsync(http, "from=a@b.example%3E%0D%0ARSET%0D%0AMAIL%20FROM:%3Cx@y.example&to=u@remote.example");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("5.1.7", body);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(http, "from=a@b.example&to=u@remote.example%3E%0D%0ADATA")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(http, "from=a@b.example%00&to=u@remote.example")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(http, "from=a@b.example&to=not%20an%20address")).Status);
        Assert.Empty(server.Queued());
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, "from=&to=u@remote.example")).Status); // the null sender is a path
        Assert.Equal("", Assert.Single(server.Queued()).ReversePath);
    }

    [Fact]
    public async Task UnknownLocalRecipient_IsRefused404_5_1_1_AsOnPort25()
    {
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync("bob@test.local", "pw-123456");
        using var http = Client(server);
        var (status, body) = await PostAsync(http, "from=root@mx.test.local&to=nobody-here@test.local");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("550 5.1.1", body);
        Assert.Empty(server.Queued());
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, "from=root@mx.test.local&to=bob@test.local")).Status);
    }

    [Fact]
    public async Task BodyOverTheSizeLimit_IsRefused413_AndLeavesNoSpoolFile()
    {
        await using var server = await PostboteTestServer.StartAsync(o => o.Limits.MessageSizeBytes = 64 * 1024);
        using var http = Client(server);
        var big = new StringContent("Subject: big\r\n\r\n" + new string('x', 200 * 1024));
        var (status, _) = await PostAsync(http, "from=root@mx.test.local&to=u@remote.example", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Empty(server.Queued());
        Assert.Empty(System.IO.Directory.EnumerateFiles(server.Spool.TempDirectory));
    }

    /// <summary>A body that sends its first bytes, then waits until the test lets it finish.</summary>
    private sealed class HeldBody(TaskCompletionSource started, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("Subject: held\r\n"));
            await stream.FlushAsync();
            started.TrySetResult();
            await release;
            await stream.WriteAsync(Encoding.ASCII.GetBytes("\r\nbody\r\n"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task SubmissionsBeyondTheConcurrencyCap_Get503_AfterWaiting_OthersGoThrough()
    {
        await using var server = await PostboteTestServer.StartAsync(o =>
        {
            o.Limits.LocalSubmissionsConcurrent = 1;
            o.Limits.DataTimeout = TimeSpan.FromSeconds(1);
        });
        using var first = Client(server);
        using var second = Client(server);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = PostAsync(first, "from=root@mx.test.local&to=u@remote.example", new HeldBody(started, release.Task));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // The first request is in the endpoint once its headers are read; the second must find the slot taken.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpStatusCode status;
        while ((status = (await PostAsync(second, "from=root@mx.test.local&to=v@remote.example")).Status) == HttpStatusCode.OK && DateTime.UtcNow < deadline)
            await Task.Yield();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await held.WaitAsync(TimeSpan.FromSeconds(20))).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(second, "from=root@mx.test.local&to=w@remote.example")).Status);
    }

    [RequiresToolFact("setpriv", "curl")]
    public async Task NonRootCaller_IsBoundToItsOwnAddress_EnvelopeAndFrom()
    {
        if (Environment.UserName != "root") return; // switching to another uid needs root
        await using var server = await PostboteTestServer.StartAsync();
        foreach (var dir in new[] { Path.GetDirectoryName(server.DataDirectory)!, server.DataDirectory })
            File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.OtherExecute);
        var msg = Path.Combine(Path.GetTempPath(), "postbote-submit-" + Guid.NewGuid().ToString("N")[..8] + ".eml");
        try
        {
            async Task<string> AsNobodyAsync(string from, string header)
            {
                await File.WriteAllTextAsync(msg, header + "\r\nSubject: x\r\n\r\nbody\r\n");
                File.SetUnixFileMode(msg, (UnixFileMode)0b110_100_100);
                var r = await ExternalTool.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-sS", "--max-time", "20",
                    "--unix-socket", Path.Combine(server.DataDirectory, "submit.sock"), "-o", "/dev/null", "-w", "%{http_code}",
                    "--data-binary", "@" + msg, $"http://postbote/v1/submit?from={Uri.EscapeDataString(from)}&to=u@remote.example"]);
                return r.Stdout.Trim();
            }
            Assert.Equal("403", await AsNobodyAsync("ceo@example.org", "From: nobody@mx.test.local"));
            Assert.Equal("403", await AsNobodyAsync("nobody@mx.test.local", "From: ceo@example.org"));
            Assert.Equal("400", await AsNobodyAsync("nobody@mx.test.local", "From: nobody@mx.test.local\r\nFrom: ceo@example.org"));
            Assert.Equal("403", await AsNobodyAsync("nobody@mx.test.local", "From : ceo@example.org"));
            Assert.Empty(server.Queued());
            Assert.Equal("200", await AsNobodyAsync("nobody@mx.test.local", "From: Nobody <nobody@test.local>"));
            Assert.Equal("nobody@mx.test.local", Assert.Single(server.Queued()).ReversePath);
        }
        finally { File.Delete(msg); }
    }
}
