using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Postbote.Admin;

/// <summary>The CLI's side of the admin endpoint: HTTP/JSON over a Unix domain socket of the running server.</summary>
public sealed class AdminClient : IQueueControl, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    private AdminClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
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
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://postbote/"), Timeout = TimeSpan.FromMinutes(5) };
    }

    public bool ServerRunning => true;

    /// <summary>
    /// Connects when a server listens on <paramref name="socketPath"/>. Null when none does (no socket file, or a
    /// stale one: connection refused). Throws <see cref="UnauthorizedAccessException"/> when the file mode refuses us.
    /// </summary>
    public static async Task<AdminClient?> TryConnectAsync(string socketPath, CancellationToken ct)
    {
        if (!File.Exists(socketPath)) return null;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new UnauthorizedAccessException($"permission denied on {socketPath}: queue control needs root or the server's user", e);
        }
        return new AdminClient(socketPath);
    }

    public async Task<IReadOnlyList<QueueEntry>> ListAsync(CancellationToken ct) =>
        await SendAsync<List<QueueEntry>>(HttpMethod.Get, "v1/queue", ct).ConfigureAwait(false) ?? [];

    public async Task<IReadOnlyList<Postbote.Queue.DestinationStatus>> DestinationsAsync(CancellationToken ct) =>
        await SendAsync<List<Postbote.Queue.DestinationStatus>>(HttpMethod.Get, "v1/queue/destinations", ct).ConfigureAwait(false) ?? [];

    public async Task<QueueEntry?> ShowAsync(string queueId, CancellationToken ct)
    {
        using var response = await RequestAsync(HttpMethod.Get, $"v1/queue/{Uri.EscapeDataString(queueId)}", null, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureAsync(response, ct).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<QueueEntry>(Json, ct).ConfigureAwait(false);
    }

    public async Task<(QueueOpOutcome Outcome, int Count)> FlushAsync(string? domain, CancellationToken ct)
    {
        var path = "v1/queue/flush" + (domain is null ? "" : "?domain=" + Uri.EscapeDataString(domain));
        using var response = await RequestAsync(HttpMethod.Post, path, null, ct).ConfigureAwait(false);
        var outcome = await OutcomeOfAsync(response, ct).ConfigureAwait(false);
        if (outcome != QueueOpOutcome.Done) return (outcome, 0);
        var doc = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct).ConfigureAwait(false);
        return (outcome, doc.GetProperty("count").GetInt32());
    }

    public Task<QueueOpOutcome> FlushMessageAsync(string queueId, CancellationToken ct) => OpAsync(HttpMethod.Post, queueId, "flush", ct);
    public Task<QueueOpOutcome> HoldAsync(string queueId, CancellationToken ct) => OpAsync(HttpMethod.Post, queueId, "hold", ct);
    public Task<QueueOpOutcome> ReleaseAsync(string queueId, CancellationToken ct) => OpAsync(HttpMethod.Post, queueId, "release", ct);
    public Task<QueueOpOutcome> BounceAsync(string queueId, CancellationToken ct) => OpAsync(HttpMethod.Post, queueId, "bounce", ct);
    public Task<QueueOpOutcome> DeleteAsync(string queueId, CancellationToken ct) => OpAsync(HttpMethod.Delete, queueId, null, ct);

    /// <summary>Local submission through submit.sock; returns the queue id.</summary>
    /// <exception cref="LocalSubmissionRefusedException">The server refused the message (HTTP 4xx, or 503 when busy).</exception>
    public async Task<string> SubmitAsync(string sender, IReadOnlyList<string> recipients, byte[] message, CancellationToken ct)
    {
        var query = "v1/submit?from=" + Uri.EscapeDataString(sender) + string.Concat(recipients.Select(r => "&to=" + Uri.EscapeDataString(r)));
        using var response = await RequestAsync(HttpMethod.Post, query, new ByteArrayContent(message), ct).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        if (status is >= 400 and < 500 or 503)
            throw new LocalSubmissionRefusedException(status, await DetailAsync(response, ct).ConfigureAwait(false));
        await EnsureAsync(response, ct).ConfigureAwait(false);
        var doc = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct).ConfigureAwait(false);
        return doc.GetProperty("queueId").GetString()!;
    }

    private async Task<QueueOpOutcome> OpAsync(HttpMethod method, string queueId, string? op, CancellationToken ct)
    {
        var path = $"v1/queue/{Uri.EscapeDataString(queueId)}" + (op is null ? "" : "/" + op);
        using var response = await RequestAsync(method, path, null, ct).ConfigureAwait(false);
        return await OutcomeOfAsync(response, ct).ConfigureAwait(false);
    }

    private static async Task<QueueOpOutcome> OutcomeOfAsync(HttpResponseMessage response, CancellationToken ct)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound: return QueueOpOutcome.NotFound;
            case HttpStatusCode.Conflict: return QueueOpOutcome.WrongState;
            case HttpStatusCode.ServiceUnavailable: return QueueOpOutcome.ServerDown;
        }
        await EnsureAsync(response, ct).ConfigureAwait(false);
        return QueueOpOutcome.Done;
    }

    private async Task<T?> SendAsync<T>(HttpMethod method, string path, CancellationToken ct)
    {
        using var response = await RequestAsync(method, path, null, ct).ConfigureAwait(false);
        await EnsureAsync(response, ct).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<T>(Json, ct).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> RequestAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(new HttpRequestMessage(method, path) { Content = content }, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new AdminException($"the server closed the admin connection ({e.Message}); is this the server's user or root?", e);
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        string detail = await DetailAsync(response, ct).ConfigureAwait(false);
        throw new AdminException($"admin endpoint: {(int)response.StatusCode} {detail}".TrimEnd());
    }

    /// <summary>The "detail" of a problem+json answer, or the body as it is.</summary>
    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        string detail = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        try { detail = JsonDocument.Parse(detail).RootElement.GetProperty("detail").GetString() ?? detail; }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
        return detail;
    }

    public void Dispose() => _http.Dispose();
}
