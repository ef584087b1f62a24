using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Postbote.Directory;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;
using Postbote.Web;

namespace Postbote.IntegrationTests.Dashboard;

/// <summary>
/// A browser-like HTTP client of the dashboard of a <see cref="PostboteTestServer"/>: its own cookie jar, redirects
/// not followed (tests look at them), and the antiforgery token read from the page a form is on.
/// </summary>
internal sealed partial class DashboardClient : IDisposable
{
    public const string Admin = "root-admin", Password = "Dashboard-pw-1";

    private readonly HttpClient _http;

    public DashboardClient(PostboteTestServer server)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = BaseOf(server),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public CookieContainer Cookies { get; }
    public HttpClient Http => _http;

    public static Uri BaseOf(PostboteTestServer server) => new($"http://{server.Services.GetRequiredService<MetricsHttpServer>().BoundEndpoint}/");

    /// <summary>The server with its HTTP listener on a kernel-chosen loopback port, delivery deferred, and one admin.</summary>
    public static async Task<PostboteTestServer> StartServerAsync(Action<Postbote.Configuration.PostboteOptions>? configure = null)
    {
        var server = await PostboteTestServer.StartAsync(o =>
        {
            o.Http = new Postbote.Configuration.HttpOptions { Endpoint = "127.0.0.1:0" };
            configure?.Invoke(o);
        });
        await ((IAdminAccounts)server.Directory).AddAdminAsync(Admin, Password);
        return server;
    }

    public async Task<(HttpStatusCode Status, string Body, string? Location)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.ToString());
    }

    public async Task<string> PageAsync(string path)
    {
        var (status, body, location) = await GetAsync(path);
        Assert.True(status == HttpStatusCode.OK, $"GET {path}: {(int)status} {location}\n{body}");
        return body;
    }

    /// <summary>POSTs a form; <paramref name="tokenFrom"/> names the page whose antiforgery token goes with it (null: none).</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, IEnumerable<(string, string)> fields, string? tokenFrom)
    {
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)).ToList();
        if (tokenFrom is not null) form.Add(new("_csrf", Token(await PageAsync(tokenFrom))));
        return await _http.PostAsync(path, new FormUrlEncodedContent(form));
    }

    public static string Token(string page) => CsrfField().Match(page) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new Xunit.Sdk.XunitException("no antiforgery field on the page:\n" + page);

    public async Task<HttpResponseMessage> LoginAsync(string name = Admin, string password = Password) =>
        await PostAsync("/login", [("name", name), ("password", password), ("returnUrl", "/")], "/login");

    public async Task LoginOkAsync()
    {
        using var r = await LoginAsync();
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal("/", r.Headers.Location?.ToString());
    }

    /// <summary>Sends one message to the MX listener; returns its queue id (delivery is deferred: it stays queued).</summary>
    public static async Task<string> QueueMessageAsync(PostboteTestServer server, string from = "alice@remote.example", string to = "bob@test.local", string subject = "dash")
    {
        var before = server.Queued().Select(m => m.QueueId).ToHashSet();
        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage(from, to, subject, "body"), from, to);
        return server.Queued().Single(m => !before.Contains(m.QueueId)).QueueId;
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"_csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
