using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Postbote.Queue.Control;

namespace Postbote.Web.Dashboard;

/// <summary>
/// The queue: GET /queue (search, filter by state and domain, sort, pages), GET /queue/{id} (envelope, headers, every
/// recipient, the message's log lines), and the actions flush, hold, release, bounce, delete: GET shows a confirmation,
/// POST (with the antiforgery token) does it through <see cref="IQueueControl"/>, as `postbote queue ...` does.
/// </summary>
internal static class QueuePages
{
    private static readonly Dictionary<string, (string Verb, string Question, string Done)> Actions = new(StringComparer.Ordinal)
    {
        ["flush"] = ("Deliver now", "Try to deliver message {0} now?", "scheduled for delivery now"),
        ["hold"] = ("Hold", "Put message {0} on hold? It stays in the queue and is not delivered until released.", "put on hold"),
        ["release"] = ("Release", "Release message {0} from hold and deliver it now?", "released from hold"),
        ["bounce"] = ("Bounce", "Give up on message {0} now? Every pending recipient fails with 5.0.0 and the sender gets a non-delivery notice.", "returned to the sender"),
        ["delete"] = ("Delete", "Delete message {0} without any notice to the sender? This cannot be undone.", "deleted"),
    };

    private static readonly string[] Sorts = ["age", "id", "sender", "recipient", "state", "size", "attempts"];

    public static void Map(WebApplication app, Dashboard d)
    {
        app.MapGet("/queue", async (HttpContext http, string? q, string? state, string? domain, string? sort, string? dir, int? page, string? done, string? id, int? count) =>
        {
            // The notice after a redirect names a known action and a queue id, never free text from the URL.
            string? notice = done == "flush-all" ? $"{count ?? 0} messages scheduled for delivery now"
                : done is not null && Actions.TryGetValue(done, out var a) && id is not null && Core.Envelope.QueueId.IsValid(id) ? id.ToUpperInvariant() + " " + a.Done : null;
            return Layout.Page(http, "Queue", "/queue", await ListAsync(d, http, q, state, domain, sort, dir, page ?? 1, notice));
        });

        app.MapGet("/queue/{id}", async (HttpContext http, string id, string? done) =>
            await d.Services.Queue.ShowAsync(id, http.RequestAborted) is { } entry
                ? Layout.Page(http, "Message " + entry.Id, "/queue", Detail(d, entry, done))
                : Layout.Error(http, StatusCodes.Status404NotFound, "Not in the queue", $"There is no message {id} in the queue (delivered, bounced or deleted)."));

        app.MapGet("/queue/{id}/{action}", async (HttpContext http, string id, string action) =>
        {
            if (!Actions.TryGetValue(action, out var a)) return Results.NotFound();
            if (await d.Services.Queue.ShowAsync(id, http.RequestAborted) is not { } entry)
                return Layout.Error(http, StatusCodes.Status404NotFound, "Not in the queue", $"There is no message {id} in the queue.");
            return Layout.Confirm(http, a.Verb + " " + entry.Id, "/queue", string.Format(System.Globalization.CultureInfo.InvariantCulture, a.Question, entry.Id),
                $"/queue/{entry.Id}/{action}", a.Verb, [], $"/queue/{entry.Id}");
        });

        Dashboard.MapPost(app, "/queue/{id}/{action}", async http =>
        {
            string id = (string)http.Request.RouteValues["id"]!, action = (string)http.Request.RouteValues["action"]!;
            if (!Actions.TryGetValue(action, out var a)) return Results.NotFound();
            var ct = http.RequestAborted;
            var q = d.Services.Queue;
            var outcome = action switch
            {
                "flush" => await q.FlushMessageAsync(id, ct),
                "hold" => await q.HoldAsync(id, ct),
                "release" => await q.ReleaseAsync(id, ct),
                "bounce" => await q.BounceAsync(id, ct),
                _ => await q.DeleteAsync(id, ct),
            };
            id = id.ToUpperInvariant();
            switch (outcome)
            {
                case QueueOpOutcome.Done:
                    d.Audit(http, $"queue {action} {id}");
                    return Results.Redirect(action is "bounce" or "delete" ? $"/queue?done={action}&id={id}" : $"/queue/{id}?done={action}");
                case QueueOpOutcome.NotFound:
                    return Layout.Error(http, StatusCodes.Status404NotFound, "Not in the queue", $"There is no message {id} in the queue.");
                case QueueOpOutcome.WrongState:
                    return Layout.Error(http, StatusCodes.Status409Conflict, "Not possible now",
                        action switch { "release" => $"{id} is not on hold.", "flush" => $"{id} is not scheduled for delivery: it is on hold (release it), or delivery is off (Queue:DeferDelivery).", _ => $"{id} is not in a state that allows {action}." });
                default:
                    return Layout.Error(http, StatusCodes.Status503ServiceUnavailable, "Server not running", "This needs the running queue manager.");
            }
        });

        app.MapGet("/flush", (HttpContext http) => Layout.Confirm(http, "Deliver all deferred mail now", "/queue",
            "Make every deferred message due now (postqueue -f)?", "/flush", "Deliver all now", [], "/queue"));
        Dashboard.MapPost(app, "/flush", async http =>
        {
            var (outcome, count) = await d.Services.Queue.FlushAsync(null, http.RequestAborted);
            if (outcome != QueueOpOutcome.Done) return Layout.Error(http, StatusCodes.Status503ServiceUnavailable, "Server not running", "This needs the running queue manager.");
            d.Audit(http, $"queue flush all ({count} messages)");
            return Results.Redirect($"/queue?done=flush-all&count={count}");
        });
    }

    private static async Task<Markup> ListAsync(Dashboard d, HttpContext http, string? q, string? state, string? domain, string? sort, string? dir, int page, string? done)
    {
        q = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        state = string.IsNullOrWhiteSpace(state) ? null : state.Trim().ToLowerInvariant();
        domain = string.IsNullOrWhiteSpace(domain) ? null : domain.Trim();
        sort = Sorts.Contains(sort) ? sort : "age";
        bool descending = dir == "desc" || (dir is null && sort == "age"); // by default the oldest first
        var now = d.Services.Time.GetUtcNow();
        var all = await d.Services.Queue.ListAsync(http.RequestAborted);
        var matching = all.Where(e => e.Matches(null, null, domain, state)
            && (q is null || e.Id.Contains(q, StringComparison.OrdinalIgnoreCase) || e.Matches(q, null, null, null) || e.Matches(null, q, null, null))).ToList();
        IEnumerable<QueueEntry> sorted = sort switch
        {
            "id" => matching.OrderBy(e => e.Id, StringComparer.Ordinal),
            "sender" => matching.OrderBy(e => e.Sender, StringComparer.OrdinalIgnoreCase),
            "recipient" => matching.OrderBy(e => e.Recipients.FirstOrDefault()?.Address, StringComparer.OrdinalIgnoreCase),
            "state" => matching.OrderBy(e => e.State, StringComparer.Ordinal),
            "size" => matching.OrderBy(e => e.Size),
            "attempts" => matching.OrderBy(e => e.Attempts),
            _ => matching.OrderBy(e => e.Arrival).Reverse(), // age: youngest first ascending
        };
        if (descending) sorted = sorted.Reverse();
        int size = d.Options.PageSize, pages = Math.Max(1, (matching.Count + size - 1) / size);
        page = Math.Clamp(page, 1, pages);
        var rows = sorted.Skip((page - 1) * size).Take(size).ToList();

        string Link(string? s = null, string? dr = null, int? p = null) => "/queue?" + string.Join("&", new[]
        {
            q is null ? null : "q=" + Uri.EscapeDataString(q), state is null ? null : "state=" + Uri.EscapeDataString(state),
            domain is null ? null : "domain=" + Uri.EscapeDataString(domain), "sort=" + (s ?? sort), "dir=" + (dr ?? (descending ? "desc" : "asc")), "page=" + (p ?? page),
        }.Where(x => x is not null));

        var html = new Html();
        html.Add($"{Layout.Notice(done)}<form method=\"get\" action=\"/queue\" class=\"filters\">");
        html.Add($"<label>Search <input name=\"q\" value=\"{q}\" placeholder=\"queue id, sender or recipient\"></label>");
        html.Add($"<label>State <select name=\"state\"><option value=\"\">any</option>");
        foreach (var s in new[] { "active", "deferred", "hold", "corrupt" })
            html.Add($"<option{(s == state ? new Markup(" selected") : Markup.Empty)}>{s}</option>");
        html.Add($"</select></label><label>Domain <input name=\"domain\" value=\"{domain}\" placeholder=\"example.net\"></label>");
        html.Add($"<input type=\"hidden\" name=\"sort\" value=\"{sort}\"><input type=\"hidden\" name=\"dir\" value=\"{(descending ? "desc" : "asc")}\"><button type=\"submit\">Filter</button></form>");
        html.Add($"<p class=\"hint\">{matching.Count} of {all.Count} messages. <a href=\"/flush\">Deliver all deferred mail now…</a></p>");
        html.Add($"<table class=\"queue\" id=\"queue-list\"><thead><tr>");
        foreach (var (key, label) in new[] { ("id", "Queue id"), ("state", "State"), ("age", "Age"), ("size", "Size"), ("sender", "Sender"), ("recipient", "Recipients"), ("attempts", "Attempts") })
        {
            bool active = key == sort;
            string arrow = active ? (descending ? " ▼" : " ▲") : "";
            html.Add($"<th><a href=\"{Link(key, active && !descending ? "desc" : "asc", 1)}\">{label}{arrow}</a></th>");
        }
        html.Add($"<th>Last reply</th></tr></thead><tbody>");
        foreach (var e in rows)
        {
            var first = e.Recipients.FirstOrDefault()?.Address ?? "";
            string more = e.Recipients.Count > 1 ? $" (+{e.Recipients.Count - 1})" : "";
            html.Add($"<tr data-id=\"{e.Id}\"><td><a href=\"/queue/{e.Id}\">{e.Id}</a></td><td class=\"state-{e.State}\">{e.State}</td><td>{Layout.Age(now - e.Arrival)}</td><td class=\"num\">{Layout.Size(e.Size)}</td>");
            html.Add($"<td>{(e.Sender.Length == 0 ? "<>" : e.Sender)}</td><td>{first}{more}</td><td class=\"num\">{e.Attempts}</td><td class=\"reply\">{Layout.Truncate(e.LastReply, 100)}</td></tr>");
        }
        if (rows.Count == 0) html.Add($"<tr><td colspan=\"8\" class=\"hint\">No message.</td></tr>");
        html.Add($"</tbody></table>");
        if (pages > 1)
        {
            html.Add($"<nav class=\"pages\">");
            if (page > 1) html.Add($"<a href=\"{Link(p: page - 1)}\" rel=\"prev\">← previous</a>");
            html.Add($"<span>page {page} of {pages}</span>");
            if (page < pages) html.Add($"<a href=\"{Link(p: page + 1)}\" rel=\"next\">next →</a>");
            html.Add($"</nav>");
        }
        return html.ToMarkup();
    }

    private static Markup Detail(Dashboard d, QueueEntry e, string? done)
    {
        var now = d.Services.Time.GetUtcNow();
        var html = new Html();
        if (done is not null && Actions.TryGetValue(done, out var doneAction)) html.Add($"{Layout.Notice(e.Id + " " + doneAction.Done)}");
        html.Add($"<p class=\"actions\">");
        foreach (var action in e.State switch { "hold" => ["release", "bounce", "delete"], "corrupt" => ["delete"], _ => new[] { "flush", "hold", "bounce", "delete" } })
            html.Add($"<a class=\"button{(action is "bounce" or "delete" ? new Markup(" danger") : Markup.Empty)}\" href=\"/queue/{e.Id}/{action}\">{Actions[action].Verb}</a> ");
        html.Add($"</p><h2>Envelope</h2><table class=\"envelope\" id=\"envelope\">");
        void Row(string label, string? value) => html.Add($"<tr><th>{label}</th><td>{value ?? "-"}</td></tr>");
        Row("State", e.State);
        Row("Arrival", Layout.Time(e.Arrival) + " (" + Layout.Age(now - e.Arrival) + " ago)");
        Row("Size", Layout.Size(e.Size));
        Row("Sender", e.Sender.Length == 0 ? "<> (null sender)" : e.Sender);
        Row("Client", e.ClientAddress);
        Row("HELO", e.HeloName);
        Row("Authenticated user", e.AuthenticatedUser);
        Row("Protocol", e.Protocol);
        Row("Attempts", e.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row("Next attempt", e.State == "hold" ? "on hold" : Layout.Time(e.NextAttempt));
        html.Add($"</table><h2>Recipients</h2><table id=\"recipients\"><tr><th>Address</th><th>State</th><th>Status</th><th>Attempts</th><th>Last attempt</th><th>Relay</th><th>Last reply</th></tr>");
        foreach (var r in e.Recipients)
        {
            string original = r.OriginalAddress is { } o && !o.Equals(r.Address, StringComparison.OrdinalIgnoreCase) ? " (for " + o + ")" : "";
            html.Add($"<tr><td>{r.Address}{original}</td><td>{r.State}</td><td>{r.Status ?? "-"}</td><td class=\"num\">{r.Attempts}</td><td>{Layout.Time(r.LastAttempt)}</td><td>{r.RemoteMta ?? "-"}</td><td class=\"reply\">{r.LastReply ?? "-"}</td></tr>");
        }
        html.Add($"</table><h2>Attempts and events in the log</h2>");
        var lines = d.Services.Log.Lines(e.Id, d.Services.Log.Capacity);
        if (lines.Count == 0) html.Add($"<p class=\"hint\">No line about {e.Id} among the last {d.Services.Log.Capacity} lines of the log.</p>");
        else html.Add($"{LogPages.Render(lines)}");
        html.Add($"<h2>Headers</h2><pre class=\"headers\">");
        foreach (var h in e.Headers ?? []) html.Add($"{h}\n");
        html.Add($"</pre>");
        return html.ToMarkup();
    }
}
