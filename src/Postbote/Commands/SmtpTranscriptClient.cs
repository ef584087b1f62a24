using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Postbote.Commands;

/// <summary>
/// The small SMTP client of `postbote send`: one connection, every line printed as it goes ("C: " for the client,
/// "S: " for the server), AUTH secrets masked. Deliberately separate from the delivery agent's client, whose job
/// is delivering a queued message, not showing a dialogue.
/// </summary>
public sealed class SmtpTranscriptClient(TextWriter transcript) : IAsyncDisposable
{
    private TcpClient? _tcp;
    private Stream _stream = Stream.Null;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start, _end;

    public async Task ConnectAsync(string host, int port, bool implicitTls, CancellationToken ct)
    {
        _tcp = new TcpClient();
        await _tcp.ConnectAsync(host, port, ct);
        transcript.WriteLine($"=== Connected to {host}:{port}");
        _stream = _tcp.GetStream();
        if (implicitTls) await StartTlsAsync(host, ct);
    }

    public async Task StartTlsAsync(string host, CancellationToken ct)
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, ct);
        _stream = tls;
        _start = _end = 0;
        transcript.WriteLine($"=== TLS started with cipher {tls.SslProtocol}:{tls.NegotiatedCipherSuite} (certificate {tls.RemoteCertificate?.Subject}, not verified)");
    }

    /// <summary>Sends a command line (printed as <paramref name="shown"/> when given: AUTH secrets).</summary>
    public async Task SendAsync(string line, CancellationToken ct, string? shown = null)
    {
        transcript.WriteLine("C: " + (shown ?? line));
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), ct);
        await _stream.FlushAsync(ct);
    }

    /// <summary>Sends the message content, dot-stuffed, and the final ".", printing the lines.</summary>
    public async Task SendDataAsync(byte[] crlfMessage, CancellationToken ct)
    {
        var text = Encoding.UTF8.GetString(crlfMessage);
        var lines = text.Split("\r\n");
        int count = text.EndsWith("\r\n", StringComparison.Ordinal) ? lines.Length - 1 : lines.Length;
        var sb = new StringBuilder(crlfMessage.Length + 64);
        for (int i = 0; i < count; i++)
        {
            var line = lines[i].StartsWith('.') ? "." + lines[i] : lines[i];
            transcript.WriteLine("C: " + line);
            sb.Append(line).Append("\r\n");
        }
        transcript.WriteLine("C: .");
        sb.Append(".\r\n");
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()), ct);
        await _stream.FlushAsync(ct);
    }

    /// <summary>Reads one (possibly multi-line) reply; the code and the text lines.</summary>
    public async Task<(int Code, List<string> Lines)> ReadReplyAsync(CancellationToken ct)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(ct) ?? throw new IOException("the server closed the connection");
            transcript.WriteLine("S: " + line);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out int code)) throw new IOException($"not an SMTP reply: {line}");
            lines.Add(line.Length > 4 ? line[4..] : "");
            if (line.Length == 3 || line[3] == ' ') return (code, lines);
        }
    }

    private async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        var sb = new List<byte>();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _stream.ReadAsync(_buffer, ct);
                if (_end == 0) return sb.Count == 0 ? null : Encoding.UTF8.GetString(sb.ToArray());
            }
            byte b = _buffer[_start++];
            if (b == '\n') return Encoding.UTF8.GetString(sb.ToArray()).TrimEnd('\r');
            sb.Add(b);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp?.Dispose();
    }
}
