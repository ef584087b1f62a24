using System.Net;
using System.Net.Sockets;

namespace Postbote.TestSupport.Peers;

/// <summary>Free loopback ports for peers, and a bounded wait until a port accepts connections.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A free 127.0.0.1 port for a peer that must be told its port in a configuration file (Postfix, Dovecot,
    /// smtp-sink). It is taken below the kernel's ephemeral range (ip_local_port_range, 32768 and up here), so no
    /// outgoing connection of any test can be handed the same port between this check and the peer's bind;
    /// ports already handed out by this process are not given again.
    /// </summary>
    public static int Free()
    {
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            int port = Random.Shared.Next(LowestPort, EphemeralStart);
            lock (Given)
            {
                if (!Given.Add(port)) continue;
            }
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (SocketException) { }
        }
        throw new InvalidOperationException("no free loopback port below the ephemeral range");
    }

    private const int LowestPort = 20000;
    private static readonly HashSet<int> Given = new();
    private static readonly int EphemeralStart = ReadEphemeralStart();

    private static int ReadEphemeralStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            int start = int.Parse(range[0]);
            return start > LowestPort + 1000 ? start : 32768;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or IndexOutOfRangeException) { return 32768; }
    }

    /// <summary>Polls connect() on 127.0.0.1:<paramref name="port"/> until it succeeds or the deadline passes.</summary>
    /// <returns>true when the port accepted a connection before the deadline.</returns>
    public static async Task<bool> WaitUntilAcceptingAsync(int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var pause = TimeSpan.FromMilliseconds(25);
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var client = new TcpClient();
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(1));
                await client.ConnectAsync(IPAddress.Loopback, port, attempt.Token);
                return true;
            }
            catch (SocketException) { }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            await Task.Delay(pause, cancellationToken);
            if (pause < TimeSpan.FromMilliseconds(200)) pause *= 2;
        }
        return false;
    }
}
