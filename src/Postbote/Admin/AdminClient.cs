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

    private AdminClient(string socketPath, Socket connected) => _http = LocalSocketClient.CreateHttpClient(socketPath, connected);

    public bool ServerRunning => true;

    /// <summary>
    /// Connects when a server listens on <paramref name="socketPath"/>. Null when none does (no socket file, or a
    /// stale one: connection refused). Throws <see cref="UnauthorizedAccessException"/> when the file mode refuses us.
    /// </summary>
    public static async Task<AdminClient?> TryConnectAsync(string socketPath, CancellationToken ct)
    {
        Socket? socket;
        try { socket = await LocalSocketClient.TryConnectSocketAsync(socketPath, ct).ConfigureAwait(false); }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException(e.Message + ": queue control needs root or the server's user", e);
        }
        return socket is null ? null : new AdminClient(socketPath, socket);
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

    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken ct) =>
        LocalSocketClient.Detail(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));

    public void Dispose() => _http.Dispose();
}
