using System.Net.Sockets;
using System.Text.Json;

namespace Postbote.Admin;

/// <summary>
/// A client of the server's local sockets (see <see cref="AdminSockets"/>): local submission (<c>POST /v1/submit</c> on submit.sock)
/// and plain requests such as the queue listing on admin.sock.
/// Used by `postbote sendmail` and by the Native AOT `postbote-sendmail`, so it holds no reflection-based JSON
/// (the answers are read with <see cref="JsonDocument"/>). The socket connected to find out whether a server
/// listens is the one the request goes over: one connection per message.
/// </summary>
public sealed class LocalSocketClient : IDisposable
{
    private readonly HttpClient _http;

    private LocalSocketClient(string socketPath, Socket connected) => _http = CreateHttpClient(socketPath, connected);

    /// <summary>An HttpClient whose connections go to the Unix socket <paramref name="socketPath"/>; the first one over <paramref name="connected"/> when given.</summary>
    public static HttpClient CreateHttpClient(string socketPath, Socket? connected)
    {
        Socket? first = connected;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) =>
            {
                if (Interlocked.Exchange(ref first, null) is { } ready) return new NetworkStream(ready, ownsSocket: true);
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://postbote/"), Timeout = TimeSpan.FromMinutes(5) };
    }

    /// <summary>
    /// Connects when a server listens on <paramref name="socketPath"/>. Null when none does (no socket file, or a
    /// stale one: connection refused). Throws <see cref="UnauthorizedAccessException"/> when the file mode refuses us.
    /// </summary>
    public static async Task<LocalSocketClient?> TryConnectAsync(string socketPath, CancellationToken ct)
    {
        var socket = await TryConnectSocketAsync(socketPath, ct).ConfigureAwait(false);
        return socket is null ? null : new LocalSocketClient(socketPath, socket);
    }

    /// <summary>A socket connected to <paramref name="socketPath"/>, or null when no server listens there.</summary>
    public static async Task<Socket?> TryConnectSocketAsync(string socketPath, CancellationToken ct)
    {
        if (!File.Exists(socketPath)) return null;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            socket.Dispose();
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            socket.Dispose();
            throw new UnauthorizedAccessException($"permission denied on {socketPath}", e);
        }
    }

    /// <summary>Local submission through submit.sock; returns the queue id.</summary>
    /// <exception cref="LocalSubmissionRefusedException">The server refused the message (HTTP 4xx, or 503 when busy).</exception>
    /// <exception cref="AdminException">The server failed the request or closed the connection.</exception>
    public async Task<string> SubmitAsync(string sender, IReadOnlyList<string> recipients, byte[] message, CancellationToken ct)
    {
        var query = "v1/submit?from=" + Uri.EscapeDataString(sender) + string.Concat(recipients.Select(r => "&to=" + Uri.EscapeDataString(r)));
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, query) { Content = new ByteArrayContent(message) }, ct)
            .ConfigureAwait(false);
        int status = (int)response.StatusCode;
        string body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (status is >= 400 and < 500 or 503) throw new LocalSubmissionRefusedException(status, Detail(body));
        if (!response.IsSuccessStatusCode) throw new AdminException($"admin endpoint: {status} {Detail(body)}".TrimEnd());
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.GetProperty("queueId").GetString() ?? throw new AdminException("the server's answer has no queue id");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new AdminException("the server's answer is not understood: " + body, e);
        }
    }

    /// <summary>Sends a request; a connection the server closed becomes an <see cref="AdminException"/>.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new AdminException($"the server closed the connection ({e.Message})", e);
        }
    }

    /// <summary>The "detail" of a problem+json answer, or the body as it is.</summary>
    public static string Detail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("detail", out var d) && d.GetString() is { } s) return s;
        }
        catch (JsonException) { }
        return body;
    }

    public void Dispose() => _http.Dispose();
}
