using System.Net;
using System.Net.Sockets;

namespace Postbote.TestSupport.Peers;

/// <summary>Free loopback ports for peers, and a bounded wait until a port accepts connections.</summary>
public static class LoopbackPort
{
    /// <summary>Asks the kernel for a free 127.0.0.1 port (bind to port 0) and releases it.
    /// A peer started right after binds it; the race with other processes is small.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
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
