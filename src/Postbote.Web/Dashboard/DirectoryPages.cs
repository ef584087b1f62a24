using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Postbote.Directory;

namespace Postbote.Web.Dashboard;

/// <summary>
/// The directory, as `postbote domain|user|alias ...` manage it: list, add, remove (with a confirmation step) and change
/// passwords; and the DKIM keys with the DNS records to publish (`postbote dkim show`). A change the directory refuses
/// (<see cref="DirectoryException"/>) is shown with its reason and status 400.
/// </summary>
internal static partial class DirectoryPages
{
    public static void Map(WebApplication app, Dashboard d)
    {
        MapDomains(app, d);
        MapUsers(app, d);
        MapAliases(app, d);
        app.MapGet("/dkim", (HttpContext http) => Layout.Page(http, "DKIM keys", "/dkim", Dkim(d)));
    }

    /// <summary>Runs a directory change; a refusal becomes the page <paramref name="current"/> with the reason.</summary>
    private static async Task<IResult> ChangeAsync(HttpContext http, Dashboard d, string audit, Func<Task<string>> change)
    {
        try
        {
            string redirect = await change();
            d.Audit(http, audit);
            return Results.Redirect(redirect);
        }
        catch (DirectoryException e)
        {
            return Layout.Error(http, StatusCodes.Status400BadRequest, "Refused", e.Message);
        }
    }

    private static void MapDomains(WebApplication app, Dashboard d)
    {
        app.MapGet("/domains", async (HttpContext http, string? done) =>
        {
            var ct = http.RequestAborted;
            var domains = await d.Services.Directory.ListDomainsAsync(ct);
            var users = await d.Services.Directory.ListUsersAsync(null, ct);
            var aliases = await d.Services.Directory.ListAliasesAsync(null, ct);
            var html = new Html();
            html.Add($"{Layout.Notice(done is "added" or "removed" or "was already local" or "was not local" ? "domain " + done : null)}<table id=\"domains\"><tr><th>Domain</th><th>Users</th><th>Aliases</th><th></th></tr>");
            foreach (var domain in domains)
            {
                int u = users.Count(x => OverviewPage.Domain(x.Address) == domain), a = aliases.Count(x => OverviewPage.Domain(x.Source) == domain);
                string q = Uri.EscapeDataString(domain);
                html.Add($"<tr><td>{domain}</td><td class=\"num\"><a href=\"/users?domain={q}\">{u}</a></td><td class=\"num\"><a href=\"/aliases?domain={q}\">{a}</a></td><td><a class=\"button danger\" href=\"/domains/remove?domain={q}\">Remove</a></td></tr>");
            }
            html.Add($"</table><h2>Add a domain</h2><form method=\"post\" action=\"/domains/add\" class=\"inline\">{Layout.Csrf(http)}");
            html.Add($"<label>Domain <input name=\"domain\" required placeholder=\"example.org\"></label><button type=\"submit\">Add</button></form>");
            html.Add($"<p class=\"hint\">Domains listed in the configuration (Domains) are made local again at every start.</p>");
            return Layout.Page(http, "Domains", "/domains", html.ToMarkup());
        });
        Dashboard.MapPost(app, "/domains/add", async http =>
        {
            var domain = Layout.Field(await http.Request.ReadFormAsync(http.RequestAborted), "domain");
            return await ChangeAsync(http, d, $"domain add {domain}", async () =>
                await d.Services.Directory.AddDomainAsync(domain, http.RequestAborted) ? "/domains?done=added" : "/domains?done=was+already+local");
        });
        app.MapGet("/domains/remove", (HttpContext http, string domain) => Layout.Confirm(http, "Remove domain " + domain, "/domains",
            $"Remove the local domain {domain}? Mail to it is then relayed or refused, not delivered here.", "/domains/remove", "Remove",
            [("domain", domain)], "/domains",
            Html.Of($"<p><label><input type=\"checkbox\" name=\"force\" value=\"true\"> also remove its users and aliases (otherwise a domain that has any is kept)</label></p>")));
        Dashboard.MapPost(app, "/domains/remove", async http =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            string domain = Layout.Field(form, "domain");
            bool force = Layout.Field(form, "force") == "true";
            return await ChangeAsync(http, d, $"domain remove {domain}{(force ? " (with its users and aliases)" : "")}", async () =>
                await d.Services.Directory.RemoveDomainAsync(domain, force, http.RequestAborted) ? "/domains?done=removed" : "/domains?done=was+not+local");
        });
    }

    private static void MapUsers(WebApplication app, Dashboard d)
    {
        app.MapGet("/users", async (HttpContext http, string? domain, string? done) =>
        {
            var ct = http.RequestAborted;
            domain = string.IsNullOrWhiteSpace(domain) ? null : domain.Trim();
            var users = await d.Services.Directory.ListUsersAsync(domain, ct);
            var html = new Html();
            html.Add($"{Layout.Notice(Done(done))}{DomainFilter("/users", domain)}");
            html.Add($"<table id=\"users\"><tr><th>Address</th><th>CRAM-MD5</th><th>Send as anyone</th><th>Quota</th><th></th></tr>");
            foreach (var u in users)
            {
                string q = Uri.EscapeDataString(u.Address);
                html.Add($"<tr><td>{u.Address}</td><td>{(u.AllowCramMd5 ? "yes" : "no")}</td><td>{(u.AllowSendAsAnyone ? "yes" : "no")}</td><td>{(u.QuotaBytes is { } b ? Layout.Size(b) : "-")}</td>");
                html.Add($"<td><a class=\"button\" href=\"/users/passwd?address={q}\">Password</a> <a class=\"button danger\" href=\"/users/remove?address={q}\">Remove</a></td></tr>");
            }
            if (users.Count == 0) html.Add($"<tr><td colspan=\"5\" class=\"hint\">No user{(domain is null ? "" : " in " + domain)}: every local part of the local domains is accepted until the first user or alias exists.</td></tr>");
            html.Add($"</table><h2>Add a user</h2><form method=\"post\" action=\"/users/add\" class=\"stacked\">{Layout.Csrf(http)}");
            html.Add($"<label>Address <input name=\"address\" type=\"text\" required placeholder=\"me@{domain ?? "example.org"}\"></label>{PasswordFields()}");
            html.Add($"<label>Quota (bytes, empty for none) <input name=\"quota\" type=\"number\" min=\"0\"></label>");
            html.Add($"<label><input type=\"checkbox\" name=\"sendAsAnyone\" value=\"true\"> may send as any address (trusted applications)</label><button type=\"submit\">Add user</button></form>");
            return Layout.Page(http, "Users", "/users", html.ToMarkup());
        });
        Dashboard.MapPost(app, "/users/add", async http =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            string address = Layout.Field(form, "address"), quotaText = Layout.Field(form, "quota");
            if (PasswordProblem(form) is { } problem) return Layout.Error(http, StatusCodes.Status400BadRequest, "Refused", problem);
            long? quota = null;
            if (quotaText.Length > 0)
            {
                if (!long.TryParse(quotaText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var q))
                    return Layout.Error(http, StatusCodes.Status400BadRequest, "Refused", "The quota must be a whole number of bytes.");
                quota = q;
            }
            var settings = new UserSettings(false, Layout.Field(form, "sendAsAnyone") == "true", quota);
            return await ChangeAsync(http, d, $"user add {address}", async () =>
            {
                var user = await d.Services.Directory.AddUserAsync(address, form["password"].ToString(), settings, http.RequestAborted);
                return "/users?done=added";
            });
        });
        app.MapGet("/users/passwd", (HttpContext http, string address) =>
        {
            var html = new Html();
            html.Add($"<form method=\"post\" action=\"/users/passwd\" class=\"stacked\">{Layout.Csrf(http)}<input type=\"hidden\" name=\"address\" value=\"{address}\">");
            html.Add($"<p>New password for {address}:</p>{PasswordFields()}<button type=\"submit\">Change password</button> <a href=\"/users\">Cancel</a></form>");
            return Layout.Page(http, "Change password", "/users", html.ToMarkup());
        });
        Dashboard.MapPost(app, "/users/passwd", async http =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            string address = Layout.Field(form, "address");
            if (PasswordProblem(form) is { } problem) return Layout.Error(http, StatusCodes.Status400BadRequest, "Refused", problem);
            return await ChangeAsync(http, d, $"user passwd {address}", async () =>
                await d.Services.Directory.SetPasswordAsync(address, form["password"].ToString(), null, http.RequestAborted) ? "/users?done=passwd" : "/users?done=unknown");
        });
        app.MapGet("/users/remove", (HttpContext http, string address) => Layout.Confirm(http, "Remove user " + address, "/users",
            $"Remove the user {address}? Their mailbox files stay on disk; mail to the address is refused once no alias takes it.",
            "/users/remove", "Remove", [("address", address)], "/users"));
        Dashboard.MapPost(app, "/users/remove", async http =>
        {
            string address = Layout.Field(await http.Request.ReadFormAsync(http.RequestAborted), "address");
            return await ChangeAsync(http, d, $"user remove {address}", async () =>
                await d.Services.Directory.RemoveUserAsync(address, http.RequestAborted) ? "/users?done=removed" : "/users?done=unknown");
        });
    }

    private static void MapAliases(WebApplication app, Dashboard d)
    {
        app.MapGet("/aliases", async (HttpContext http, string? domain, string? done) =>
        {
            domain = string.IsNullOrWhiteSpace(domain) ? null : domain.Trim();
            var aliases = await d.Services.Directory.ListAliasesAsync(domain, http.RequestAborted);
            var html = new Html();
            html.Add($"{Layout.Notice(Done(done))}{DomainFilter("/aliases", domain)}<table id=\"aliases\"><tr><th>Alias</th><th>Targets</th><th></th></tr>");
            foreach (var a in aliases)
            {
                string source = Uri.EscapeDataString(a.Source);
                html.Add($"<tr><td>{a.Source}</td><td><ul class=\"targets\">");
                foreach (var t in a.Targets)
                    html.Add($"<li>{t} <a class=\"small\" href=\"/aliases/remove?source={source}&amp;target={Uri.EscapeDataString(t)}\" title=\"remove this target\">remove</a></li>");
                html.Add($"</ul></td><td><a class=\"button danger\" href=\"/aliases/remove?source={source}\">Remove alias</a></td></tr>");
            }
            html.Add($"</table><h2>Add an alias or targets</h2><form method=\"post\" action=\"/aliases/add\" class=\"stacked\">{Layout.Csrf(http)}");
            html.Add($"<label>Alias <input name=\"source\" required placeholder=\"info@{domain ?? "example.org"} or @{domain ?? "example.org"} (catch-all)\"></label>");
            html.Add($"<label>Targets (comma, space or one per line) <textarea name=\"targets\" rows=\"3\" required></textarea></label><button type=\"submit\">Add</button></form>");
            return Layout.Page(http, "Aliases", "/aliases", html.ToMarkup());
        });
        Dashboard.MapPost(app, "/aliases/add", async http =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            string source = Layout.Field(form, "source");
            var targets = Layout.Field(form, "targets").Split([',', ' ', '\n', '\r', '\t', ';'], StringSplitOptions.RemoveEmptyEntries);
            if (targets.Length == 0) return Layout.Error(http, StatusCodes.Status400BadRequest, "Refused", "An alias needs at least one target address.");
            return await ChangeAsync(http, d, $"alias add {source} -> {string.Join(",", targets)}", async () =>
            {
                await d.Services.Directory.AddAliasAsync(source, targets, http.RequestAborted);
                return "/aliases?done=added";
            });
        });
        app.MapGet("/aliases/remove", (HttpContext http, string source, string? target) => Layout.Confirm(http, "Remove alias " + source, "/aliases",
            target is null ? $"Remove the alias {source} with all its targets?" : $"Remove {target} from the alias {source}?",
            "/aliases/remove", "Remove", target is null ? [("source", source)] : [("source", source), ("target", target)], "/aliases"));
        Dashboard.MapPost(app, "/aliases/remove", async http =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            string source = Layout.Field(form, "source"), target = Layout.Field(form, "target");
            return await ChangeAsync(http, d, $"alias remove {source}{(target.Length > 0 ? " -> " + target : "")}", async () =>
                await d.Services.Directory.RemoveAliasAsync(source, target.Length > 0 ? target : null, http.RequestAborted) > 0 ? "/aliases?done=removed" : "/aliases?done=unknown");
        });
    }

    private static Markup Dkim(Dashboard d)
    {
        var problems = new List<string>();
        var keys = d.Services.Dkim.Load(problems);
        var html = new Html();
        try
        {
            if (keys.Count == 0) html.Add($"<p class=\"hint\">No DKIM key: mail is not signed. Create one with <code>postbote dkim keygen DOMAIN</code>.</p>");
            html.Add($"<table id=\"dkim\"><tr><th>Domain</th><th>Selector</th><th>Algorithm</th><th>Created</th><th>State</th></tr>");
            foreach (var k in keys)
            {
                string state = DkimKeyStoreState(k, keys);
                html.Add($"<tr><td>{k.Domain}</td><td>{k.Selector}</td><td>{k.AlgorithmName}, {k.KeyBits} bits</td><td>{Layout.Time(k.Created)}</td><td>{state}</td></tr>");
                html.Add($"<tr class=\"record\"><td colspan=\"5\"><p>Publish in DNS:</p><pre class=\"dns\">{k.ZoneFileLine}</pre></td></tr>");
            }
            html.Add($"</table>");
            foreach (var p in problems) html.Add($"<p class=\"error\">{p}</p>");
            html.Add($"<p class=\"hint\">Keys are created, rotated and removed with <code>postbote dkim keygen|rotate|remove</code>.</p>");
        }
        finally
        {
            foreach (var k in keys) k.Dispose();
        }
        return html.ToMarkup();
    }

    private static string DkimKeyStoreState(MailAuth.Dkim.DkimSigningKey key, IReadOnlyList<MailAuth.Dkim.DkimSigningKey> all) =>
        MailAuth.Dkim.DkimKeyStore.IsSigning(key, all) ? "signing" : "waiting (an older key signs)";

    private static Markup DomainFilter(string path, string? domain) => Html.Of(
        $"<form method=\"get\" action=\"{path}\" class=\"filters\"><label>Domain <input name=\"domain\" value=\"{domain}\" placeholder=\"all\"></label><button type=\"submit\">Show</button></form>");

    private static Markup PasswordFields() => Html.Of(
        $"<label>Password <input name=\"password\" type=\"password\" autocomplete=\"new-password\" required></label><label>Again <input name=\"password2\" type=\"password\" autocomplete=\"new-password\" required></label>");

    private static string? PasswordProblem(IFormCollection form)
    {
        string password = form["password"].ToString();
        if (password.Length == 0) return "The password must not be empty.";
        return password == form["password2"].ToString() ? null : "The two passwords differ.";
    }

    private static string? Done(string? done) => done switch
    {
        "added" => "added",
        "removed" => "removed",
        "passwd" => "password changed",
        "unknown" => "no such entry (already removed?)",
        _ => null,
    };
}
