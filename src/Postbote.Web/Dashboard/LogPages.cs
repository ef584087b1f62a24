using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Postbote.Web.Dashboard;

/// <summary>
/// GET /log: the last lines of the mail log, filtered by a queue id, an address or any text (server-rendered, no
/// script needed); with JavaScript the page then follows new lines live over Server-Sent Events from GET /log/stream.
/// </summary>
internal static class LogPages
{
    /// <summary>An event stream ends after this long; the browser's EventSource reconnects by itself (bounded work per request).</summary>
    private static readonly TimeSpan StreamLifetime = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static void Map(WebApplication app, Dashboard d)
    {
        app.MapGet("/log", (HttpContext http, string? q, int? n) =>
        {
            var tail = d.Services.Log;
            q = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
            int count = Math.Clamp(n ?? 200, 1, Math.Max(1, tail.Capacity));
            var lines = tail.Lines(q, count);
            var html = new Html();
            html.Add($"<form method=\"get\" action=\"/log\" class=\"filters\"><label>Filter <input name=\"q\" value=\"{q}\" placeholder=\"queue id or address\"></label>");
            html.Add($"<label>Lines <input name=\"n\" type=\"number\" min=\"1\" max=\"{tail.Capacity}\" value=\"{count}\"></label><button type=\"submit\">Show</button></form>");
            if (tail.Capacity == 0) html.Add($"<p class=\"hint\">The log is not kept in memory (Http:Dashboard:MailLogLines is 0).</p>");
            else html.Add($"<p class=\"hint\">The last {lines.Count} matching lines of the last {tail.Capacity} kept. <span id=\"live-status\"></span></p>");
            long last = lines.Count > 0 ? lines[^1].Sequence : -1;
            html.Add($"<div id=\"log\" data-stream=\"/log/stream?q={Uri.EscapeDataString(q ?? "")}&amp;after={last}\">{Render(lines)}</div>");
            return Layout.Page(http, "Mail log", "/log", html.ToMarkup());
        });

        app.MapGet("/log/stream", async (HttpContext http, string? q, long? after) =>
        {
            var tail = d.Services.Log;
            q = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
            var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
            stop.CancelAfter(StreamLifetime);
            http.Response.ContentType = "text/event-stream; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            var reader = tail.Subscribe(stop.Token);
            long sent = after ?? -1;
            try
            {
                // What was logged between the page and this request first, then new lines as they come.
                foreach (var line in tail.Lines(q, tail.Capacity).Where(l => l.Sequence > sent)) { await WriteAsync(http, line, stop.Token); sent = line.Sequence; }
                await http.Response.Body.FlushAsync(stop.Token);
                while (!stop.IsCancellationRequested)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                    wait.CancelAfter(Heartbeat);
                    try
                    {
                        if (!await reader.WaitToReadAsync(wait.Token)) break;
                        while (reader.TryRead(out var line))
                            if (line.Sequence > sent && line.Matches(q)) { await WriteAsync(http, line, stop.Token); sent = line.Sequence; }
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        await http.Response.WriteAsync(": keep-alive\n\n", stop.Token);
                    }
                    await http.Response.Body.FlushAsync(stop.Token);
                }
            }
            catch (OperationCanceledException) { }
            catch (IOException) { } // the browser went away
            return Results.Empty;
        });
    }

    private static Task WriteAsync(HttpContext http, MailLogLine line, CancellationToken ct)
    {
        var sb = new StringBuilder();
        sb.Append("id: ").Append(line.Sequence.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("event: line\n");
        // One data: field per text line (a log line never should have several, but an exception message may).
        foreach (var part in Render([line]).Value.Split('\n')) sb.Append("data: ").Append(part).Append('\n');
        sb.Append('\n');
        return http.Response.WriteAsync(sb.ToString(), ct);
    }

    /// <summary>Log lines as HTML (time, level, text), for the page and for the event stream alike.</summary>
    public static Markup Render(IReadOnlyList<MailLogLine> lines)
    {
        var html = new Html();
        foreach (var l in lines)
            html.Add($"<div class=\"line {l.LevelName}\" data-seq=\"{l.Sequence}\"><time>{l.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss}</time> <span class=\"text\">{l.Text}</span></div>");
        return html.ToMarkup();
    }
}
