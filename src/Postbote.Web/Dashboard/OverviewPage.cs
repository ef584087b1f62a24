using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Postbote.Queue.Control;

namespace Postbote.Web.Dashboard;

/// <summary>
/// GET /: the server at a glance. Totals since start (received, queued, delivered, deferred, bounced, rejected),
/// messages in and out per minute over 24 hours (SVG), the queue by state, the delivery success rate, the top
/// deferral reasons and destinations of what is queued, and the scheduler's dead destinations.
/// </summary>
internal static class OverviewPage
{
    public static void Map(WebApplication app, Dashboard d) =>
        // A block with a return: an expression-bodied async lambda taking only HttpContext would bind as a
        // RequestDelegate and drop the result (an empty 200).
        app.MapGet("/", async (HttpContext http) =>
        {
            var body = await RenderAsync(d, http.RequestAborted);
            return Layout.Page(http, "Overview", "/", body);
        });

    private static async Task<Markup> RenderAsync(Dashboard d, CancellationToken ct)
    {
        var (first, minutes) = d.Traffic.Last24Hours();
        var totals = d.Traffic.Sample();
        var queue = await d.Services.Queue.ListAsync(ct);
        var destinations = await d.Services.Queue.DestinationsAsync(ct);
        var now = d.Services.Time.GetUtcNow();
        var day = minutes.Aggregate(default(TrafficCounters), (a, b) => a + b);

        var html = new Html();
        html.Add($"<section class=\"cards\" id=\"totals\">");
        Card(html, "received", "Received (SMTP)", totals.Received);
        Card(html, "queued", "Queued", totals.Queued);
        Card(html, "delivered", "Delivered", totals.Delivered);
        Card(html, "deferred", "Deferred attempts", totals.Deferred);
        Card(html, "bounced", "Bounced", totals.Bounced + totals.Expired);
        Card(html, "rejected", "Rejected", totals.Rejected);
        html.Add($"</section><p class=\"hint\">Totals since the server started ({Layout.Time(d.Traffic.Started)}).</p>");

        html.Add($"<section><h2>Messages per minute, last 24 hours</h2>");
        html.Add($"{SvgChart.Lines("Messages in (queued) and out (delivered) per minute", first,
            [("in (queued)", "in", minutes.Select(m => m.Queued).ToArray()), ("out (delivered)", "out", minutes.Select(m => m.Delivered).ToArray()),
             ("deferred", "deferred", minutes.Select(m => m.Deferred).ToArray())])}");
        html.Add($"<p class=\"legend\"><span class=\"in\">■ in (queued): {day.Queued}</span> <span class=\"out\">■ out (delivered): {day.Delivered}</span> <span class=\"deferred\">■ deferred: {day.Deferred}</span> in the last 24 hours</p></section>");

        html.Add($"<div class=\"columns\"><section><h2>Queue</h2><table id=\"queue-states\"><tr><th>State</th><th>Messages</th><th>Oldest</th></tr>");
        foreach (var state in new[] { "active", "deferred", "hold", "corrupt" })
        {
            var inState = queue.Where(e => e.State == state).ToList();
            var oldest = inState.Count == 0 ? "-" : Layout.Age(now - inState.Min(e => e.Arrival));
            html.Add($"<tr><td><a href=\"/queue?state={state}\">{state}</a></td><td class=\"num\" data-state=\"{state}\">{inState.Count}</td><td>{oldest}</td></tr>");
        }
        html.Add($"<tr><th>total</th><th class=\"num\">{queue.Count}</th><th></th></tr></table></section>");

        html.Add($"<section><h2>Delivery success</h2><table><tr><th></th><th>Last 24 hours</th><th>Since start</th></tr>");
        html.Add($"<tr><td>Delivered of settled recipients</td><td class=\"num\">{Rate(day.SuccessRate)}</td><td class=\"num\" id=\"success-rate\">{Rate(totals.SuccessRate)}</td></tr>");
        html.Add($"<tr><td>Delivered</td><td class=\"num\">{day.Delivered}</td><td class=\"num\">{totals.Delivered}</td></tr>");
        html.Add($"<tr><td>Bounced or expired</td><td class=\"num\">{day.Bounced + day.Expired}</td><td class=\"num\">{totals.Bounced + totals.Expired}</td></tr>");
        html.Add($"<tr><td>Deferred attempts</td><td class=\"num\">{day.Deferred}</td><td class=\"num\">{totals.Deferred}</td></tr></table></section></div>");

        html.Add($"<div class=\"columns\"><section><h2>Top deferral reasons</h2>");
        var reasons = queue.SelectMany(e => e.Recipients).Where(r => r.State == "pending" && r.Attempts > 0 && r.LastReply is not null)
            .GroupBy(r => Layout.Truncate(r.LastReply, 160)).OrderByDescending(g => g.Count()).Take(10).ToList();
        if (reasons.Count == 0) html.Add($"<p class=\"hint\">No deferred recipient in the queue.</p>");
        else
        {
            html.Add($"<table><tr><th>Recipients</th><th>Last reply</th></tr>");
            foreach (var g in reasons) html.Add($"<tr><td class=\"num\">{g.Count()}</td><td class=\"reply\">{g.Key}</td></tr>");
            html.Add($"</table>");
        }
        html.Add($"</section><section><h2>Top destinations in the queue</h2>");
        var domains = queue.SelectMany(e => e.Recipients.Where(r => r.State == "pending").Select(r => Domain(r.Address)).Distinct())
            .GroupBy(x => x).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(10).ToList();
        if (domains.Count == 0) html.Add($"<p class=\"hint\">The queue is empty.</p>");
        else
        {
            html.Add($"<table><tr><th>Domain</th><th>Messages</th></tr>");
            foreach (var g in domains) html.Add($"<tr><td><a href=\"/queue?domain={Uri.EscapeDataString(g.Key)}\">{g.Key}</a></td><td class=\"num\">{g.Count()}</td></tr>");
            html.Add($"</table>");
        }
        var dead = destinations.Where(x => x.Dead || x.ConsecutiveFailures > 0).Take(10).ToList();
        if (dead.Count > 0)
        {
            html.Add($"<h3>Failing next hops</h3><table><tr><th>Next hop</th><th>State</th><th>Failures in a row</th><th>Last failure</th></tr>");
            foreach (var x in dead)
                html.Add($"<tr><td>{x.NextHop}</td><td>{(x.Dead ? "dead until " + Layout.Time(x.DeadUntil) : "failing")}</td><td class=\"num\">{x.ConsecutiveFailures}</td><td class=\"reply\">{Layout.Truncate(x.LastFailure, 160)}</td></tr>");
            html.Add($"</table>");
        }
        html.Add($"</section></div>");
        return html.ToMarkup();
    }

    private static void Card(Html html, string id, string label, long value) =>
        html.Add($"<div class=\"card\"><span class=\"value\" id=\"total-{id}\">{value}</span><span class=\"label\">{label}</span></div>");

    private static string Rate(double? rate) => rate is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "-";

    internal static string Domain(string address) => address.LastIndexOf('@') is var at and >= 0 ? address[(at + 1)..].ToLowerInvariant() : "";
}
