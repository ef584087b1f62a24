using System.Net.Sockets;
using System.Text;

namespace Postbote.IntegrationTests.Infrastructure;

/// <summary>A telnet-like client for exact dialogues: sends raw bytes, reads whole (multi-line) replies with a deadline.</summary>
public sealed class RawSmtpClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly MemoryStream _pending = new();
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private RawSmtpClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawSmtpClient> ConnectAsync(int port, string host = "127.0.0.1")
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port).WaitAsync(Deadline);
        return new RawSmtpClient(tcp);
    }

    public Task SendAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text));

    public Task SendLineAsync(string line) => SendAsync(line + "\r\n");

    public async Task SendBytesAsync(byte[] bytes) => await _stream.WriteAsync(bytes).AsTask().WaitAsync(Deadline);

    /// <summary>Reads one reply, all of its lines ("250-..." up to "250 ..."), without CRLF.</summary>
    public async Task<IReadOnlyList<string>> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new EndOfStreamException("connection closed; got " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.Length < 4 || line[3] == ' ') return lines;
        }
    }

    /// <summary>Reads one reply and returns its last line ("250 2.0.0 Ok").</summary>
    public async Task<string> ReadAsync() => (await ReadReplyAsync())[^1];

    public async Task<string> CommandAsync(string line)
    {
        await SendLineAsync(line);
        return await ReadAsync();
    }

    /// <summary>A line, or null at end of stream.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var buffer = new byte[4096];
        while (true)
        {
            var data = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
            int lf = data.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(data[..lf]).TrimEnd('\r');
                var rest = data[(lf + 1)..].ToArray();
                _pending.SetLength(0);
                _pending.Write(rest);
                return line;
            }
            int n = await _stream.ReadAsync(buffer, cts.Token);
            if (n == 0) return _pending.Length == 0 ? null : Encoding.UTF8.GetString(_pending.ToArray());
            _pending.Write(buffer, 0, n);
        }
    }

    /// <summary>True when the server closed the connection (reads end of stream) within the deadline.</summary>
    public async Task<bool> IsClosedAsync()
    {
        try { return await ReadLineAsync() is null; }
        catch (IOException) { return true; }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
