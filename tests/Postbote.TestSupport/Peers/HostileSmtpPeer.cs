using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postbote.TestSupport.Peers;

/// <summary>
/// A misbehaving SMTP server on a given loopback endpoint (several peers share one port on 127.0.0.x, since the
/// server under test delivers to every MX on one port): see <see cref="HostileBehaviour"/>. Counts connections,
/// records when each was accepted and how many are open; every session ends when the client closes or on dispose.
/// </summary>
public sealed class HostileSmtpPeer : IAsyncDisposable
{
    private readonly HostileBehaviour _behaviour;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _sessions = new();
    private readonly ConcurrentQueue<DateTime> _accepted = new();
    private readonly Task _acceptLoop;
    private int _open;

    /// <summary>Listens on <paramref name="bind"/> (e.g. 127.0.0.3 and the port of the healthy peer).</summary>
    public HostileSmtpPeer(HostileBehaviour behaviour, IPEndPoint bind)
    {
        _behaviour = behaviour;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(bind);
        _listener.Listen(512);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount => _accepted.Count;

    /// <summary>Connections open now (accepted, not yet closed by either side).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>When each connection was accepted (UTC), in order.</summary>
    public IReadOnlyList<DateTime> AcceptedAt => _accepted.ToArray();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _accepted.Enqueue(DateTime.UtcNow);
            Interlocked.Increment(ref _open);
            _sessions.Add(Task.Run(() => RunSessionAsync(client)));
        }
    }

    private async Task RunSessionAsync(Socket client)
    {
        var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            await PlayAsync(stream, _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException or InvalidDataException) { }
        finally
        {
            Interlocked.Decrement(ref _open);
            await stream.DisposeAsync();
        }
    }

    private async Task PlayAsync(Stream stream, CancellationToken token)
    {
        var reader = new PeerLineReader(stream);
        switch (_behaviour)
        {
            case HostileBehaviour.BlackHole:
                while (await reader.ReadLineAsync(token) is not null) { }
                return;
            case HostileBehaviour.Refuse421:
                await WriteAsync(stream, "421 4.3.2 Service not available, closing transmission channel", slow: false, token);
                return;
        }
        bool slow = _behaviour == HostileBehaviour.Tarpit;
        await WriteAsync(stream, "220 hostile.test ESMTP", slow, token);
        while (await reader.ReadLineAsync(token) is { } raw)
        {
            var verb = Encoding.ASCII.GetString(raw).Split(' ', 2)[0].Trim().ToUpperInvariant();
            switch (verb)
            {
                case "EHLO": await WriteAsync(stream, "250-hostile.test\r\n250 ENHANCEDSTATUSCODES", slow, token); break;
                case "HELO": await WriteAsync(stream, "250 hostile.test", slow, token); break;
                case "MAIL": await WriteAsync(stream, "250 2.1.0 Ok", slow, token); break;
                case "RCPT" when _behaviour == HostileBehaviour.DropAfterRcpt: return;
                case "RCPT": await WriteAsync(stream, "250 2.1.5 Ok", slow, token); break;
                case "QUIT": await WriteAsync(stream, "221 2.0.0 Bye", slow, token); return;
                default: await WriteAsync(stream, "502 5.5.2 Command not recognized", slow, token); break;
            }
        }
    }

    private static async Task WriteAsync(Stream stream, string reply, bool slow, CancellationToken token)
    {
        var bytes = Encoding.ASCII.GetBytes(reply + "\r\n");
        if (!slow)
        {
            await stream.WriteAsync(bytes, token);
            return;
        }
        for (int i = 0; i < bytes.Length; i++)
        {
            await stream.WriteAsync(bytes.AsMemory(i, 1), token);
            await Task.Delay(TimeSpan.FromSeconds(1), token); // the tarpit's pace, not a wait for a condition
        }
    }

    /// <summary>Stops listening, closes every session and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        await Task.WhenAll(_sessions);
        _stop.Dispose();
    }
}
