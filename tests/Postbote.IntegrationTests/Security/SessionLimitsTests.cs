using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;

namespace Postbote.IntegrationTests.Security;

/// <summary>Issue 11, "no write timeout": a client that pipelines and never reads must not pin a session.</summary>
public sealed class SessionLimitsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task ClientThatPipelinesAndNeverReads_IsDroppedWithinTheCommandTimeout_AndFreesItsConnectionSlot()
    {
        await using var server = await PostboteTestServer.StartAsync(o =>
        {
            o.Limits.CommandTimeout = TimeSpan.FromSeconds(2);
            o.Limits.ConnectionsPerClient = 1;
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, server.MxPort);
        // 400 EHLOs per write, each answered with some 200 octets that this client never reads.
        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("EHLO client.example\r\n", 400)));
        var clock = Stopwatch.StartNew();
        long sent = 0;
        bool blocked = false;
        for (int i = 0; i < 8_000 && clock.Elapsed < TimeSpan.FromSeconds(20); i++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try { sent += await socket.SendAsync(chunk, SocketFlags.None, cts.Token); }
            catch (OperationCanceledException) { blocked = true; break; } // the server stopped reading: back-pressure
            catch (SocketException) { blocked = true; break; } // already dropped
        }
        Assert.True(blocked, $"the server read all {sent} octets of commands without its replies being read");
        var stalled = clock.Elapsed;

        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("timeout sending replies to [127.0.0.1]")), TimeSpan.FromSeconds(15)),
            "no write timeout within 15 s (CommandTimeout is 2 s)");
        output.WriteLine($"client stalled after {sent} octets of commands ({stalled.TotalSeconds:F1} s); dropped {(clock.Elapsed - stalled).TotalSeconds:F1} s later");
        output.WriteLine(server.Log.Lines.First(l => l.Contains("timeout sending replies")));
        // The slot is free again: with ConnectionsPerClient = 1 a new connection is greeted, not refused with 421 4.7.0.
        await using var next = await RawSmtpClient.ConnectAsync(server.MxPort);
        Assert.StartsWith("220 ", await next.ReadAsync());
        Assert.True(await EndsAsync(socket), "the dropped connection stayed open");
    }

    /// <summary>Reads what the server left (bounded in octets and time) and says whether the connection then ended.</summary>
    private static async Task<bool> EndsAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        long total = 0;
        try
        {
            while (total < 256L * 1024 * 1024)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) return true;
                total += n;
            }
        }
        catch (SocketException) { return true; } // reset by the server's abort
        catch (OperationCanceledException) { return false; }
        return false;
    }
}
