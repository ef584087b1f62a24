using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postbote.IntegrationTests.Screening;

/// <summary>A raw connection from a chosen loopback source address (127.0.0.2, 127.0.0.3 ...), read line by line with a deadline.</summary>
internal sealed class SourceAddressConnection : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = new();

    private SourceAddressConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<SourceAddressConnection> ConnectAsync(string source, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Deadline);
        return new SourceAddressConnection(socket);
    }

    public Task SendLineAsync(string line) => _stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n")).AsTask().WaitAsync(Deadline);

    /// <summary>The next line without CRLF, or null at end of stream.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var buffer = new byte[1024];
        while (true)
        {
            int lf = _pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.ASCII.GetString(_pending.GetRange(0, lf).ToArray()).TrimEnd('\r');
                _pending.RemoveRange(0, lf + 1);
                return line;
            }
            int n;
            try { n = await _stream.ReadAsync(buffer, cts.Token); }
            catch (IOException) { return null; }
            if (n == 0) return null;
            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>The last line of the next (multi-line) reply.</summary>
    public async Task<string?> ReadReplyAsync()
    {
        for (int i = 0; i < 100; i++)
        {
            var line = await ReadLineAsync();
            if (line is null || line.Length < 4 || line[3] == ' ') return line;
        }
        throw new InvalidDataException("reply longer than 100 lines");
    }

    public async Task<string?> CommandAsync(string line)
    {
        await SendLineAsync(line);
        return await ReadReplyAsync();
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
