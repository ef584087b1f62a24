using System.Net;
using System.Net.Sockets;
using System.Text;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;
using Postbote.Smtpd.Filters;

namespace Postbote.IntegrationTests.Filters;

/// <summary>
/// Issue 13: a milter address that is no milter (nothing listening, an HTTP server, a peer that sends garbage or
/// says nothing) fails with a clear log line and the DefaultAction, never a crash or a hang.
/// </summary>
public sealed class MilterPeerFailureTests
{
    /// <summary>A TCP peer on a port the kernel picks that answers every connection with <paramref name="reply"/> (or nothing) and keeps it open.</summary>
    private sealed class WrongPeer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _clients = new();
        private readonly Task _loop;

        public WrongPeer(byte[]? reply)
        {
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try { client = await _listener.AcceptTcpClientAsync(_stop.Token); } catch (OperationCanceledException) { return; }
                    lock (_clients) _clients.Add(client);
                    if (reply is null) continue;
                    try
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[1024];
                        await stream.ReadAsync(buffer, _stop.Token); // the option negotiation
                        await stream.WriteAsync(reply, _stop.Token);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException) { }
                }
            });
        }

        public string Address => $"inet:127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _loop;
            lock (_clients) foreach (var c in _clients) c.Dispose();
        }
    }

    private static int ClosedPort() => RspamdInstance.FreePort();

    private static async Task<string> MailReplyAsync(PostboteTestServer server)
    {
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.StartsWith("220", await c.ReadAsync());
        Assert.StartsWith("250", await c.CommandAsync("EHLO client.example"));
        return await c.CommandAsync("MAIL FROM:<a@remote.example>");
    }

    public static TheoryData<string, string> Peers => new()
    {
        { "http", "not a milter" },
        { "garbage", "bad packet length" },
        { "silent", "no connection and negotiation within 1 s" },
    };

    [Theory]
    [MemberData(nameof(Peers))]
    public async Task WrongPeer_FailsWithALogLine_AndTempfailsByDefault(string kind, string logged)
    {
        byte[]? reply = kind switch
        {
            "http" => Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
            "garbage" => [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3],
            _ => null,
        };
        await using var peer = new WrongPeer(reply);
        await using var server = await MilterTests.StartAsync(peer.Address, m => m.ConnectTimeout = TimeSpan.FromSeconds(1));
        Assert.Equal("451 4.7.1 Service unavailable - try again later", await MailReplyAsync(server));
        Assert.Contains(server.Log.Lines, l => l.Contains($"milter test ({peer.Address}) failed at connect") && l.Contains(logged) && l.Contains("default action Tempfail"));
    }

    [Fact]
    public async Task NothingListening_WithDefaultActionAccept_MailFlowsWithoutTheFilter()
    {
        var address = $"inet:127.0.0.1:{ClosedPort()}";
        await using var server = await MilterTests.StartAsync(address, m => m.DefaultAction = FilterFailureAction.Accept);
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.StartsWith("250", await MilterTests.SendAsync(c));
        Assert.Single(server.Queued());
        Assert.Contains(server.Log.Lines, l => l.Contains($"milter test ({address}) failed at connect") && l.Contains("default action Accept"));
    }

    [Fact]
    public async Task NothingListening_WithDefaultActionReject_Is550()
    {
        await using var server = await MilterTests.StartAsync($"inet:127.0.0.1:{ClosedPort()}", m => m.DefaultAction = FilterFailureAction.Reject);
        Assert.Equal("550 5.7.1 Command rejected", await MailReplyAsync(server));
    }

    [Fact]
    public async Task MilterOnAnotherListener_IsNotAsked()
    {
        await using var server = await MilterTests.StartAsync($"inet:127.0.0.1:{ClosedPort()}", m => m.Listeners = ["submission"]);
        Assert.StartsWith("250", await MailReplyAsync(server));
    }

    [Fact]
    public async Task BadMilterSettings_StopTheStart_NamingTheKey()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => MilterTests.StartAsync("tcp:1.2.3.4", m => m.Listeners = ["nope"]));
        Assert.Contains("Milters:0:Address", e.Message);
        Assert.Contains("Milters:0:Listeners: no listener is named 'nope'", e.Message);
    }
}
