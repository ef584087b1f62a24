using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;
using Postbote.Queue;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// rspamd's /checkv2 (rspamd's HTTP protocol, as its proxy worker and Exim/Haraka speak it): the envelope and
/// client facts as request headers (IP, Helo, From, one Rcpt per recipient, Queue-Id, User, TLS-Cipher,
/// TLS-Version, MTA-Name), the message streamed as the body; its action is applied: no action, greylist
/// (451 4.7.1), add header, rewrite subject, soft reject (450 4.7.1), reject (550 5.7.1 with rspamd's message),
/// and its milter.add_headers / milter.remove_headers. One shared HTTP connection pool for the server.
/// </summary>
public sealed partial class RspamdClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _check;
    private readonly ILogger _log;

    public RspamdClient(RspamdOptions options, ILogger logger)
    {
        Options = options;
        _log = logger;
        _check = new Uri(new Uri(options.Url!.TrimEnd('/') + "/"), "checkv2");
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.Timeout,
            UseProxy = false,
            AllowAutoRedirect = false,
        }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public RspamdOptions Options { get; }

    /// <summary>
    /// Checks the message; returns a refusal, or null with the message's header changes applied to
    /// <paramref name="message"/>. A failure is logged and answered with the DefaultAction.
    /// </summary>
    public async ValueTask<SmtpReply?> CheckAsync(FilteredMessage message, IncomingMessage incoming, FilterFacts facts,
        IReadOnlyList<string> recipients, CancellationToken ct)
    {
        var queueId = facts.QueueId ?? incoming.QueueId;
        long size = message.Headers.Sum(h => (long)(h.IsOriginal ? h.Raw.Length : h.Name.Length + h.Value.Length + 3)) + message.BodyLength;
        if (size > Options.MaxMessageBytes)
        {
            LogSkipped(queueId, size, Options.MaxMessageBytes);
            return null;
        }
        JsonDocument reply;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(Options.Timeout);
            using var request = Request(message, incoming, facts, recipients);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            reply = await JsonDocument.ParseAsync(body, default, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? $"no answer within {Options.Timeout.TotalSeconds:0.###} s" : e.Message;
            LogFailed(queueId, Options.Url!, reason, Options.DefaultAction.ToString());
            return Options.DefaultAction switch
            {
                FilterFailureAction.Accept => null,
                FilterFailureAction.Reject => FilterSession.Rejected,
                _ => FilterSession.TempFailed,
            };
        }
        using (reply) return Apply(reply.RootElement, message, queueId);
    }

    private HttpRequestMessage Request(FilteredMessage message, IncomingMessage incoming, FilterFacts facts, IReadOnlyList<string> recipients)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _check) { Content = new FilteredMessageContent(message, incoming) };
        var h = request.Headers;
        var client = facts.Client.Address.IsIPv4MappedToIPv6 ? facts.Client.Address.MapToIPv4() : facts.Client.Address;
        h.TryAddWithoutValidation("IP", client.ToString());
        if (facts.Helo is { } helo) h.TryAddWithoutValidation("Helo", Safe(helo));
        if (facts.ClientName is { } name) h.TryAddWithoutValidation("Hostname", Safe(name));
        h.TryAddWithoutValidation("From", "<" + Safe(facts.Sender ?? "") + ">");
        foreach (var r in recipients) h.TryAddWithoutValidation("Rcpt", "<" + Safe(r) + ">");
        h.TryAddWithoutValidation("Queue-Id", facts.QueueId ?? incoming.QueueId);
        if (facts.AuthUser is { } user) h.TryAddWithoutValidation("User", Safe(user));
        if (facts.TlsCipher is { } cipher) h.TryAddWithoutValidation("TLS-Cipher", cipher);
        if (facts.TlsVersion is { } version) h.TryAddWithoutValidation("TLS-Version", version);
        h.TryAddWithoutValidation("MTA-Name", Safe(facts.Hostname));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        return request;
    }

    // A header value never carries CR, LF or other controls (they would split the HTTP request).
    private static string Safe(string value) => FilterText.Printable(value, 1000);

    /// <summary>rspamd's answer applied: the refusal for its action, else null with its header changes made.</summary>
    internal SmtpReply? Apply(JsonElement root, FilteredMessage message, string queueId)
    {
        var action = root.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "no action";
        double score = root.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : 0;
        double required = root.TryGetProperty("required_score", out var rs) && rs.ValueKind == JsonValueKind.Number ? rs.GetDouble() : 0;
        string? smtpMessage = root.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Object
            && m.TryGetProperty("smtp_message", out var sm) && sm.ValueKind == JsonValueKind.String ? FilterText.Printable(sm.GetString()!, 400) : null;
        LogChecked(queueId, action, score.ToString("0.00", CultureInfo.InvariantCulture), required.ToString("0.00", CultureInfo.InvariantCulture));
        switch (action)
        {
            case "reject":
                return new SmtpReply(550, "5.7.1", smtpMessage ?? "Spam message rejected");
            case "soft reject":
                return new SmtpReply(450, "4.7.1", smtpMessage ?? "Try again later");
            case "greylist":
                return new SmtpReply(451, "4.7.1", smtpMessage ?? "Try again later");
        }
        if (root.TryGetProperty("milter", out var milter) && milter.ValueKind == JsonValueKind.Object)
        {
            if (milter.TryGetProperty("remove_headers", out var remove) && remove.ValueKind == JsonValueKind.Object)
                foreach (var field in remove.EnumerateObject()) Remove(message, field.Name, field.Value);
            if (milter.TryGetProperty("add_headers", out var add) && add.ValueKind == JsonValueKind.Object)
                foreach (var field in add.EnumerateObject()) Add(message, field.Name, field.Value);
        }
        if (action == "add header" && !message.Headers.Exists(f => f.Is(Options.SpamHeader) && !f.IsOriginal))
            message.Add(HeaderField.FromFilter(Options.SpamHeader, "Yes", keepLeadingSpace: false));
        if (action == "rewrite subject")
        {
            var old = message.Headers.Find(f => f.Is("Subject"))?.ValueForFilter(false) ?? "";
            var subject = root.TryGetProperty("subject", out var sub) && sub.ValueKind == JsonValueKind.String
                ? sub.GetString()! : Options.SpamSubject.Replace("%s", old, StringComparison.Ordinal);
            message.Change("Subject", 1, HeaderField.FromFilter("Subject", subject, keepLeadingSpace: false));
        }
        return null;
    }

    /// <summary>remove_headers: name → 0 removes every such field, N the Nth, -N the Nth from the end (rspamd's proxy).</summary>
    private static void Remove(FilteredMessage message, string name, JsonElement which)
    {
        if (!IsFieldName(name)) return;
        int n = which.ValueKind == JsonValueKind.Number && which.TryGetInt32(out var i) ? i : 0;
        if (n == 0) { message.RemoveAll(name); return; }
        int count = message.Headers.Count(f => f.Is(name));
        int occurrence = n > 0 ? n : count + 1 + n;
        if (occurrence >= 1 && occurrence <= count) message.Change(name, occurrence, null);
    }

    /// <summary>add_headers: name → "value", {"value": v, "order": n}, or a list of those.</summary>
    private static void Add(FilteredMessage message, string name, JsonElement value)
    {
        if (!IsFieldName(name)) return;
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray()) Add(message, name, item);
            return;
        }
        string? text = value.ValueKind == JsonValueKind.String ? value.GetString()
            : value.ValueKind == JsonValueKind.Object && value.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (text is null) return;
        var field = HeaderField.FromFilter(name, text, keepLeadingSpace: false);
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("order", out var o) && o.TryGetInt32(out int order) && order >= 0)
            message.Insert(order, field);
        else message.Add(field);
    }

    private static bool IsFieldName(string name) => name.Length is > 0 and <= 998 && !name.Any(c => c is <= ' ' or > '~' or ':');

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: rspamd: action={Action} score={Score}/{Required}")]
    private partial void LogChecked(string queueId, string action, string score, string required);

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: rspamd: not checked, {Size} octets over Rspamd:MaxMessageBytes {Max}")]
    private partial void LogSkipped(string queueId, long size, long max);

    [LoggerMessage(Level = LogLevel.Error, Message = "{QueueId}: rspamd ({Url}) failed: {Reason}; default action {Action}")]
    private partial void LogFailed(string queueId, string url, string reason, string action);
}
