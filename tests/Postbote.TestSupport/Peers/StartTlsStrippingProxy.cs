using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postbote.TestSupport.Peers;

/// <summary>
/// The STARTTLS-stripping attacker of RFC 3207 §6 on loopback: a TCP relay to an SMTP server that removes the
/// STARTTLS line from every EHLO reply (fixing the continuation marks), so the client sees a server without TLS,
/// and passes everything else through unchanged. Listens on a free 127.0.0.1 port (<see cref="Port"/>).
/// </summary>
public sealed class StartTlsStrippingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Task> _relays = new();
    private int _stripped, _sessions;

    public StartTlsStrippingProxy(IPEndPoint upstream)
    {
        _upstream = upstream;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Strip STARTTLS from connections accepted from now on (true, the default), or relay them untouched (TLS passes through).</summary>
    public bool Stripping { get; set; } = true;

    /// <summary>How many EHLO replies had STARTTLS removed.</summary>
    public int StrippedCount => Volatile.Read(ref _stripped);

    /// <summary>How many client connections were relayed.</summary>
    public int SessionCount => Volatile.Read(ref _sessions);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (SocketException) { continue; }
            Interlocked.Increment(ref _sessions);
            lock (_relays) _relays.Add(RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_upstream, _stop.Token);
            var toServer = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
            var toClient = Stripping
                ? FilterRepliesAsync(server.GetStream(), client.GetStream(), _stop.Token)
                : server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
        }
    }

    /// <summary>Copies reply lines, holding back each multiline 250 reply until its last line to drop STARTTLS from it.</summary>
    private async Task FilterRepliesAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var reader = new StreamReader(from, Encoding.Latin1);
        var held = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length >= 4 && line.StartsWith("250", StringComparison.Ordinal) && (line[3] == '-' || held.Count > 0))
            {
                held.Add(line);
                if (line[3] == '-') continue;
                var kept = held.Where(l => !l[4..].Trim().Equals("STARTTLS", StringComparison.OrdinalIgnoreCase)).ToList();
                if (kept.Count < held.Count) Interlocked.Increment(ref _stripped);
                held.Clear();
                var reply = new StringBuilder();
                for (var i = 0; i < kept.Count; i++)
                    reply.Append("250").Append(i == kept.Count - 1 ? ' ' : '-').Append(kept[i][4..]).Append("\r\n");
                await to.WriteAsync(Encoding.Latin1.GetBytes(reply.ToString()), cancellationToken);
                continue;
            }
            await to.WriteAsync(Encoding.Latin1.GetBytes(line + "\r\n"), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] relays;
        lock (_relays) relays = _relays.ToArray();
        await Task.WhenAll(relays).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
