using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Postbote.IntegrationTests.Infrastructure;

/// <summary>Like `openssl s_client -crlf`: a line client over TLS (implicit, or after STARTTLS), accepting our self-signed certificate.</summary>
public sealed class TlsSmtpClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _ssl;
    private readonly StreamReader _reader;

    private TlsSmtpClient(TcpClient tcp, SslStream ssl)
    {
        _tcp = tcp;
        _ssl = ssl;
        _reader = new StreamReader(ssl, new UTF8Encoding(false));
    }

    public SslStream Stream => _ssl;

    public static async Task<TlsSmtpClient> ConnectImplicitAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("mx.test.local").WaitAsync(TimeSpan.FromSeconds(20));
        return new TlsSmtpClient(tcp, ssl);
    }

    /// <summary>Upgrades an established plaintext connection after the server's 220 to STARTTLS.</summary>
    public static async Task<TlsSmtpClient> UpgradeAsync(TcpClient tcp)
    {
        var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("mx.test.local").WaitAsync(TimeSpan.FromSeconds(20));
        return new TlsSmtpClient(tcp, ssl);
    }

    public async Task<string> ReadAsync() => (await ReadLinesAsync())[^1];

    public async Task<List<string>> ReadLinesAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)) ?? throw new EndOfStreamException();
            lines.Add(line);
            if (line.Length < 4 || line[3] == ' ') return lines;
        }
    }

    public async Task<string> CommandAsync(string line) => (await CommandLinesAsync(line))[^1];

    public async Task<List<string>> CommandLinesAsync(string line)
    {
        await _ssl.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
        await _ssl.FlushAsync();
        return await ReadLinesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _tcp.Dispose();
    }
}
