using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Postbote.TestSupport;

/// <summary>
/// A loopback SMTP/LMTP server (TCP on 127.0.0.1, port chosen by the OS, or a Unix domain socket) that plays a
/// <see cref="SmtpPeerScript"/> on every connection and records commands, envelopes and unstuffed message bytes.
/// </summary>
public sealed class ScriptedSmtpPeer : IAsyncDisposable
{
    private readonly SmtpPeerScript _script;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _sessions = new();
    private readonly Task _acceptLoop;
    private int _connections;

    /// <summary>Starts listening on 127.0.0.1:0, or on <paramref name="unixSocketPath"/> when given.</summary>
    public ScriptedSmtpPeer(SmtpPeerScript script, string? unixSocketPath = null)
        : this(script, unixSocketPath, null)
    {
    }

    /// <summary>Starts listening on a given loopback endpoint, e.g. 127.0.0.2 with another peer's port, to play a second MX.</summary>
    public ScriptedSmtpPeer(SmtpPeerScript script, IPEndPoint bind)
        : this(script, null, bind)
    {
    }

    private ScriptedSmtpPeer(SmtpPeerScript script, string? unixSocketPath, IPEndPoint? bind)
    {
        _script = script ?? throw new ArgumentNullException(nameof(script));
        if (unixSocketPath is null)
        {
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(bind ?? new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        }
        else
        {
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(unixSocketPath));
        }
        _listener.Listen(16);
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The TCP port (0 for a Unix socket).</summary>
    public int Port { get; }

    /// <summary>Number of connections accepted.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>Every command line received, in order, over all connections.</summary>
    public ConcurrentQueue<string> Commands { get; } = new();

    /// <summary>Transactions that reached DATA or were dropped during it.</summary>
    public ConcurrentQueue<PeerTransaction> Transactions { get; } = new();

    /// <summary>The user name of the last successful AUTH and its mechanism.</summary>
    public string? AuthenticatedAs { get; private set; }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _sessions.Add(Task.Run(() => RunSessionAsync(client)));
        }
    }

    private async Task RunSessionAsync(Socket client)
    {
        Stream stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            await PlayAsync(stream, _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException or AuthenticationException)
        {
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    private async Task PlayAsync(Stream stream, CancellationToken token)
    {
        var tls = false;
        if (_script.ImplicitTls)
        {
            stream = await StartTlsAsync(stream, token);
            tls = true;
        }
        var reader = new PeerLineReader(stream);
        if (_script.StallOn == "GREETING")
        {
            await DrainAsync(reader, token);
            return;
        }
        await WriteAsync(stream, _script.Greeting, token);
        PeerTransaction? current = null;
        while (await reader.ReadLineAsync(token) is { } raw)
        {
            var line = Encoding.UTF8.GetString(raw).TrimEnd('\r', '\n');
            Commands.Enqueue(line);
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            if (_script.StallOn == verb)
            {
                await DrainAsync(reader, token);
                return;
            }
            switch (verb)
            {
                case "EHLO" or "LHLO":
                    await WriteAsync(stream, _script.EhloReply ?? EhloReply(tls), token);
                    break;
                case "HELO":
                    await WriteAsync(stream, "250 peer.test", token);
                    break;
                case "STARTTLS" when _script.Certificate is not null && !tls:
                    await WriteAsync(stream, "220 2.0.0 Ready to start TLS", token);
                    if (_script.BreakTls)
                    {
                        // Wait for the ClientHello, then answer with something that is not TLS.
                        _ = await stream.ReadAsync(new byte[4096], token);
                        await WriteAsync(stream, "this is not a TLS record", token);
                        return;
                    }
                    stream = await StartTlsAsync(stream, token);
                    reader = new PeerLineReader(stream);
                    tls = true;
                    break;
                case "AUTH":
                    await AuthenticateAsync(stream, reader, line, token);
                    break;
                case "MAIL":
                    current = new PeerTransaction { MailCommand = line, OverTls = tls, RcptPipelinedWithMail = reader.HasBufferedLine };
                    await WriteAsync(stream, _script.MailReply, token);
                    break;
                case "RCPT":
                    current?.RcptCommands.Add(line);
                    var address = ExtractPath(line);
                    var reply = _script.RcptReply(address);
                    if (reply.StartsWith('2'))
                        current?.AcceptedRecipients.Add(address);
                    await WriteAsync(stream, reply, token);
                    break;
                case "DATA":
                    if (current is null || current.AcceptedRecipients.Count == 0)
                    {
                        await WriteAsync(stream, "554 5.5.1 No valid recipients", token);
                        break;
                    }
                    await WriteAsync(stream, _script.DataReply, token);
                    if (!_script.DataReply.StartsWith("354", StringComparison.Ordinal))
                        break;
                    Transactions.Enqueue(current);
                    if (!await ReceiveDataAsync(reader, current, token))
                        return;
                    if (_script.StallOn == ".")
                    {
                        await DrainAsync(reader, token);
                        return;
                    }
                    if (_script.Lmtp)
                    {
                        foreach (var rcpt in current.AcceptedRecipients)
                            await WriteAsync(stream, _script.LmtpReply?.Invoke(rcpt) ?? _script.EndOfDataReply, token);
                    }
                    else
                    {
                        await WriteAsync(stream, _script.EndOfDataReply, token);
                    }
                    current = null;
                    break;
                case "RSET":
                    current = null;
                    await WriteAsync(stream, "250 2.0.0 Ok", token);
                    break;
                case "NOOP":
                    await WriteAsync(stream, "250 2.0.0 Ok", token);
                    break;
                case "QUIT":
                    await WriteAsync(stream, "221 2.0.0 Bye", token);
                    return;
                default:
                    await WriteAsync(stream, "502 5.5.2 Command not recognized", token);
                    break;
            }
        }
    }

    private async Task<bool> ReceiveDataAsync(PeerLineReader reader, PeerTransaction transaction, CancellationToken token)
    {
        using var content = new MemoryStream();
        while (await reader.ReadLineAsync(token) is { } raw)
        {
            if (raw.AsSpan().SequenceEqual(".\r\n"u8))
            {
                transaction.Data = content.ToArray();
                return true;
            }
            var start = raw.Length > 1 && raw[0] == (byte)'.' ? 1 : 0;
            content.Write(raw, start, raw.Length - start);
            if (_script.DropMidData)
                return false;
        }
        return false;
    }

    private async Task AuthenticateAsync(Stream stream, PeerLineReader reader, string line, CancellationToken token)
    {
        var parts = line.Split(' ');
        var mechanism = parts.Length > 1 ? parts[1].ToUpperInvariant() : "";
        string? user = null, password = null;
        if (mechanism == "PLAIN")
        {
            var response = parts.Length > 2 ? parts[2] : await ChallengeAsync(stream, reader, "", token);
            var fields = Encoding.UTF8.GetString(Convert.FromBase64String(response ?? "")).Split('\0');
            if (fields.Length == 3)
                (user, password) = (fields[1], fields[2]);
        }
        else if (mechanism == "LOGIN")
        {
            var u = await ChallengeAsync(stream, reader, "VXNlcm5hbWU6", token);
            var p = u is null ? null : await ChallengeAsync(stream, reader, "UGFzc3dvcmQ6", token);
            if (u is not null && p is not null)
                (user, password) = (Encoding.UTF8.GetString(Convert.FromBase64String(u)), Encoding.UTF8.GetString(Convert.FromBase64String(p)));
        }
        if (_script.Account is { } account && user == account.User && password == account.Password)
        {
            AuthenticatedAs = $"{user} via {mechanism}";
            await WriteAsync(stream, "235 2.7.0 Authentication successful", token);
        }
        else
        {
            await WriteAsync(stream, "535 5.7.8 Authentication credentials invalid", token);
        }
    }

    private static async Task<string?> ChallengeAsync(Stream stream, PeerLineReader reader, string challenge, CancellationToken token)
    {
        await WriteAsync(stream, "334 " + challenge, token);
        var raw = await reader.ReadLineAsync(token);
        return raw is null ? null : Encoding.ASCII.GetString(raw).TrimEnd('\r', '\n');
    }

    private string EhloReply(bool tls)
    {
        var lines = new List<string> { "peer.test" };
        lines.AddRange(_script.Extensions);
        if (_script.Certificate is not null && _script.OfferStartTls && !tls && !_script.ImplicitTls)
            lines.Add("STARTTLS");
        if (_script.Account is not null)
            lines.Add("AUTH " + _script.AuthMechanisms);
        return string.Join("\r\n", lines.Select((l, i) => (i == lines.Count - 1 ? "250 " : "250-") + l));
    }

    private async Task<Stream> StartTlsAsync(Stream stream, CancellationToken token)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _script.Certificate }, token);
        return ssl;
    }

    private static async Task DrainAsync(PeerLineReader reader, CancellationToken token)
    {
        // A stalled peer: keep reading without answering until the client gives up and closes.
        while (await reader.ReadLineAsync(token) is not null)
        {
        }
    }

    private static async Task WriteAsync(Stream stream, string reply, CancellationToken token)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\r\n"), token);
        await stream.FlushAsync(token);
    }

    private static string ExtractPath(string line)
    {
        var open = line.IndexOf('<');
        var close = line.IndexOf('>', open + 1);
        return open >= 0 && close > open ? line[(open + 1)..close] : "";
    }

    /// <summary>Stops listening, closes every session and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        await _acceptLoop;
        await Task.WhenAll(_sessions);
        _stop.Dispose();
    }
}
