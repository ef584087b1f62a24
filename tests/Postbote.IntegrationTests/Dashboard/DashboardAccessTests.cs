using System.Net;
using System.Net.Http;
using Postbote.Directory;

namespace Postbote.IntegrationTests.Dashboard;

/// <summary>
/// Issue 15 (dashboard): no page and no action without a login, secure session cookies, CSRF tokens on every POST,
/// throttled logins, and sessions that end with logout or a password change. /metrics stays open for Prometheus.
/// </summary>
public sealed class DashboardAccessTests
{
    private static readonly string[] GetRoutes =
    [
        "/", "/queue", "/queue?state=hold&sort=sender&dir=desc&page=2", "/queue/06B1Q2TM7QGY", "/queue/06B1Q2TM7QGY/hold", "/queue/06B1Q2TM7QGY/delete",
        "/flush", "/log", "/log?q=x", "/log/stream", "/domains", "/domains/remove?domain=test.local", "/users", "/users/passwd?address=a@test.local",
        "/users/remove?address=a@test.local", "/aliases", "/aliases/remove?source=a@test.local", "/dkim", "/nonexistent",
    ];

    private static readonly string[] PostRoutes =
    [
        "/logout", "/queue/06B1Q2TM7QGY/hold", "/queue/06B1Q2TM7QGY/release", "/queue/06B1Q2TM7QGY/flush", "/queue/06B1Q2TM7QGY/bounce",
        "/queue/06B1Q2TM7QGY/delete", "/flush", "/domains/add", "/domains/remove", "/users/add", "/users/passwd", "/users/remove",
        "/aliases/add", "/aliases/remove",
    ];

    [Fact]
    public async Task EveryRoute_WithoutLogin_RedirectsToTheLoginPage_AndDoesNothing()
    {
        await using var server = await DashboardClient.StartServerAsync();
        string id = await DashboardClient.QueueMessageAsync(server);
        using var client = new DashboardClient(server);
        foreach (var path in GetRoutes.Append($"/queue/{id}"))
        {
            var (status, body, location) = await client.GetAsync(path);
            Assert.True(status == HttpStatusCode.Redirect && location?.Contains("/login?ReturnUrl=", StringComparison.Ordinal) == true,
                $"GET {path} without login: {(int)status} {location}");
            Assert.DoesNotContain(id, body);
        }
        // A form from the login page carries a valid anonymous token: still no action without a session.
        var token = DashboardClient.Token(await client.PageAsync("/login"));
        foreach (var path in PostRoutes.Append($"/queue/{id}/hold").Append($"/queue/{id}/delete"))
        {
            using var r = await client.Http.PostAsync(path, new FormUrlEncodedContent([new("_csrf", token), new("domain", "evil.example"),
                new("address", "x@test.local"), new("password", "p"), new("password2", "p"), new("source", "x@test.local"), new("targets", "y@evil.example")]));
            Assert.True(r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location?.ToString().Contains("/login", StringComparison.Ordinal) == true,
                $"POST {path} without login: {(int)r.StatusCode} {r.Headers.Location}");
        }
        Assert.Contains(server.Queued(), m => m.QueueId == id);
        Assert.Empty(server.Spool.List(Postbote.Queue.QueueState.Hold));
        Assert.DoesNotContain("evil.example", await server.Directory.ListDomainsAsync());
        Assert.Empty(await server.Directory.ListUsersAsync());

        // Open without login: the login page, the static assets, and /metrics for Prometheus.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/login")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/assets/dashboard.css")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/assets/dashboard.js")).Status);
        Assert.Contains("postbote_messages_received_total", (await client.GetAsync("/metrics")).Body);
    }

    [Fact]
    public async Task Login_SetsAnHttpOnlySameSiteStrictCookie_AndLogoutEndsTheSession()
    {
        await using var server = await DashboardClient.StartServerAsync();
        using var client = new DashboardClient(server);
        using var login = await client.LoginAsync();
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("postbote_session=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);
        Assert.DoesNotContain("expires=", cookie); // a session cookie: closing the browser ends it
        Assert.DoesNotContain("secure", cookie);   // plain HTTP here; over TLS the cookie is Secure (SameAsRequest)
        var overview = await client.PageAsync("/");
        Assert.Contains("Overview", overview);
        Assert.Contains(DashboardClient.Admin, overview);
        Assert.Contains("default-src 'none'", (await client.Http.GetAsync("/")).Headers.GetValues("Content-Security-Policy").Single());

        using (var logout = await client.PostAsync("/logout", [], "/"))
            Assert.Equal("/login", logout.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).Status);
        Assert.Contains(server.Log.Lines, l => l.Contains($"dashboard: login of {DashboardClient.Admin} from [127.0.0.1]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongPasswords_AreRefused_ThenTheNameIsThrottled_AndAMailUserIsNoAdmin()
    {
        await using var server = await DashboardClient.StartServerAsync(o => o.Http.Dashboard.LoginFailuresPerName = 3);
        await server.AddUserAsync("bob@test.local", "Mail-pw-1");
        using var client = new DashboardClient(server);
        using (var r = await client.LoginAsync("bob@test.local", "Mail-pw-1")) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        for (int i = 0; i < 3; i++)
            using (var r = await client.LoginAsync(DashboardClient.Admin, "wrong-" + i)) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        using (var r = await client.LoginAsync()) // the right password, but the name is locked now
        {
            Assert.Equal((HttpStatusCode)429, r.StatusCode);
            Assert.Contains("Too many failed logins", await r.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).Status);
        Assert.Contains(server.Log.Lines, l => l.Contains($"dashboard: login failed for {DashboardClient.Admin} from [127.0.0.1]", StringComparison.Ordinal));
        Assert.Contains(server.Log.Lines, l => l.Contains("too many failures", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Posts_WithoutOrWithAForeignCsrfToken_AreRefused()
    {
        await using var server = await DashboardClient.StartServerAsync();
        string id = await DashboardClient.QueueMessageAsync(server);
        using var client = new DashboardClient(server);
        await client.LoginOkAsync();
        using var other = new DashboardClient(server);
        await other.LoginOkAsync();
        string foreign = DashboardClient.Token(await other.PageAsync("/queue"));

        using (var r = await client.PostAsync($"/queue/{id}/hold", [], tokenFrom: null)) Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using (var r = await client.PostAsync($"/queue/{id}/hold", [("_csrf", foreign)], tokenFrom: null)) Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using (var r = await client.PostAsync("/domains/add", [("domain", "csrf.example")], tokenFrom: null)) Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Empty(server.Spool.List(Postbote.Queue.QueueState.Hold));
        Assert.DoesNotContain("csrf.example", await server.Directory.ListDomainsAsync());

        using (var r = await client.PostAsync($"/queue/{id}/hold", [], tokenFrom: $"/queue/{id}/hold")) Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Single(server.Spool.List(Postbote.Queue.QueueState.Hold));
    }

    [Fact]
    public async Task PasswordChangeOrRemoval_EndsTheAdminsOpenSessions()
    {
        await using var server = await DashboardClient.StartServerAsync();
        var admins = (IAdminAccounts)server.Directory;
        using var client = new DashboardClient(server);
        await client.LoginOkAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/queue")).Status);
        Assert.True(await admins.SetAdminPasswordAsync(DashboardClient.Admin, "Changed-pw-2"));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/queue")).Status);

        using (var r = await client.LoginAsync(DashboardClient.Admin, "Changed-pw-2")) Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/queue")).Status);
        Assert.True(await admins.RemoveAdminAsync(DashboardClient.Admin));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/queue")).Status);
    }

    [Fact]
    public async Task ReturnUrl_StaysOnTheSite()
    {
        await using var server = await DashboardClient.StartServerAsync();
        using var client = new DashboardClient(server);
        foreach (var (target, expected) in new[] { ("/queue?state=hold", "/queue?state=hold"), ("//evil.example/", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/") })
        {
            using var r = await client.PostAsync("/login", [("name", DashboardClient.Admin), ("password", DashboardClient.Password), ("returnUrl", target)], "/login");
            Assert.Equal(expected, r.Headers.Location?.ToString());
        }
    }
}
