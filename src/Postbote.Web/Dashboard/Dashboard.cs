using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Postbote.Web.Dashboard;

/// <summary>
/// The web dashboard on the HTTP listener (issue 15): server-rendered pages behind a login of the directory's
/// administrators (<see cref="Directory.IAdminAccounts"/>). The session is an ASP.NET Core cookie (HttpOnly,
/// SameSite=Strict, Secure when the request came over TLS) signed and encrypted with data-protection keys kept in the
/// data directory, checked on every request against the admin's stamp (a password change or removal ends it).
/// Every POST carries an antiforgery token; logins are throttled per name and per client address. Every route but
/// /login, /assets and /metrics needs a session (the authorization fallback policy).
/// </summary>
public sealed partial class Dashboard(DashboardOptions options, DashboardServices services, MetricsCollector collector, ILoggerFactory loggers)
{
    public const string SessionCookie = "postbote_session";
    public const string CsrfCookie = "postbote_csrf";
    public const string CsrfField = "_csrf";
    private const string StampClaim = "postbote:stamp";

    private readonly ILogger _log = loggers.CreateLogger("Postbote.Web.Dashboard");

    internal DashboardOptions Options => options;
    internal DashboardServices Services => services;
    internal ILogger Log => _log;
    internal TrafficHistory Traffic { get; private set; } = null!;
    internal MetricsCollector Collector => collector;

    /// <summary>Registers authentication, authorization, antiforgery and data protection in the listener's container.</summary>
    public void AddServices(IServiceCollection s)
    {
        var keys = System.IO.Directory.CreateDirectory(services.KeyDirectory);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keys.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        s.AddDataProtection().PersistKeysToFileSystem(keys).SetApplicationName("postbote-dashboard");
        s.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = SessionCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.IsEssential = true;
            o.LoginPath = "/login";
            o.LogoutPath = "/logout";
            o.AccessDeniedPath = "/login";
            o.ExpireTimeSpan = options.SessionIdleTimeout;
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = ValidateSessionAsync;
        });
        s.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        s.AddAntiforgery(o =>
        {
            o.Cookie.Name = CsrfCookie;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = CsrfField;
            o.HeaderName = null;
        });
        s.AddSingleton(new LoginThrottle(options, services.Time));
        s.AddSingleton(sp => new TrafficHistory(() => TrafficCounters.From(collector.Collect()), services.Time));
        s.AddSingleton(this);
    }

    /// <summary>Adds the middleware and the pages. Call on the built app before other endpoints are mapped.</summary>
    public void Map(WebApplication app)
    {
        Traffic = app.Services.GetRequiredService<TrafficHistory>();
        app.Use(SecurityHeaders);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();

        var assets = LoadAssets();
        app.MapGet("/assets/{name}", (string name) => assets.TryGetValue(name, out var a)
            ? Results.Bytes(a.Bytes, a.ContentType) : Results.NotFound()).AllowAnonymous();

        app.MapGet("/login", (HttpContext http, string? returnUrl) => LoginPage(http, returnUrl, null, StatusCodes.Status200OK)).AllowAnonymous();
        MapPost(app, "/login", LoginAsync).AllowAnonymous();
        MapPost(app, "/logout", async http =>
        {
            LogLogout(_log, http.User.Identity?.Name ?? "?", ClientAddress(http));
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        });

        OverviewPage.Map(app, this);
        QueuePages.Map(app, this);
        LogPages.Map(app, this);
        DirectoryPages.Map(app, this);
    }

    /// <summary>A POST endpoint whose form must carry a valid antiforgery token; without one: 400 and nothing done.</summary>
    internal static RouteHandlerBuilder MapPost(IEndpointRouteBuilder app, string pattern, Func<HttpContext, Task<IResult>> handler) =>
        app.MapPost(pattern, async (HttpContext http) =>
        {
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            if (!http.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(http))
                return Layout.Error(http, StatusCodes.Status400BadRequest, "Form refused",
                    "The form's security token is missing or stale (CSRF protection). Go back, reload the page and try again.");
            return await handler(http);
        });

    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var dashboard = context.HttpContext.RequestServices.GetRequiredService<Dashboard>();
        string? name = context.Principal?.Identity?.Name, stamp = context.Principal?.FindFirst(StampClaim)?.Value;
        var admin = name is null ? null : await dashboard.Services.Admins.FindAdminAsync(name, context.HttpContext.RequestAborted);
        if (admin is null || admin.Stamp != stamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    private async Task<IResult> LoginAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string name = (form["name"].ToString() ?? "").Trim().ToLowerInvariant(), password = form["password"].ToString() ?? "";
        string? returnUrl = form["returnUrl"];
        string client = ClientAddress(http);
        var throttle = http.RequestServices.GetRequiredService<LoginThrottle>();
        if (throttle.BlockedUntil(name, client) is { } until)
        {
            LogLoginThrottled(_log, name, client);
            var wait = until - services.Time.GetUtcNow();
            return LoginPage(http, returnUrl, $"Too many failed logins. Try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))} minute(s).",
                StatusCodes.Status429TooManyRequests);
        }
        var admin = name.Length == 0 || password.Length == 0 ? null : await services.Admins.VerifyAdminAsync(name, password, http.RequestAborted);
        if (admin is null)
        {
            throttle.Failed(name, client);
            LogLoginFailed(_log, name, client);
            return LoginPage(http, returnUrl, "Wrong name or password.", StatusCodes.Status401Unauthorized);
        }
        throttle.Succeeded(name);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, admin.Name), new Claim(StampClaim, admin.Stamp)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
        LogLogin(_log, admin.Name, client);
        return Results.Redirect(IsLocalUrl(returnUrl) ? returnUrl! : "/");
    }

    private IResult LoginPage(HttpContext http, string? returnUrl, string? error, int status)
    {
        var body = new Html();
        body.Add($"<form class=\"login\" method=\"post\" action=\"/login\">{Layout.Csrf(http)}<h1>Postbote</h1>");
        if (error is not null) body.Add($"<p class=\"error\" role=\"alert\">{error}</p>");
        body.Add($"<input type=\"hidden\" name=\"returnUrl\" value=\"{(IsLocalUrl(returnUrl) ? returnUrl : "/")}\">");
        body.Add($"<label>Name <input name=\"name\" autocomplete=\"username\" required autofocus></label>");
        body.Add($"<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>");
        body.Add($"<button type=\"submit\">Log in</button><p class=\"hint\">Accounts: <code>postbote admin add NAME</code></p></form>");
        return Layout.Bare(http, "Log in", body.ToMarkup(), status);
    }

    /// <summary>A return URL that stays on this site: a path, not "//host" or "/\host".</summary>
    internal static bool IsLocalUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    internal static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static Task SecurityHeaders(HttpContext http, Func<Task> next)
    {
        var h = http.Response.Headers;
        h.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        if (!http.Request.Path.StartsWithSegments("/assets"))
        {
            // What antiforgery sets on a page with a form anyway (set first, it does not log a warning per page).
            h.CacheControl = "no-cache, no-store";
            h.Pragma = "no-cache";
        }
        return next();
    }

    private static Dictionary<string, (byte[] Bytes, string ContentType)> LoadAssets()
    {
        var assembly = typeof(Dashboard).Assembly;
        var assets = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("dashboard-assets/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            string name = resource["dashboard-assets/".Length..];
            assets[name] = (buffer.ToArray(), name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
        }
        return assets;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "dashboard: login of {Name} from [{Client}]")]
    private static partial void LogLogin(ILogger log, string name, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dashboard: login failed for {Name} from [{Client}]")]
    private static partial void LogLoginFailed(ILogger log, string name, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dashboard: login refused for {Name} from [{Client}]: too many failures")]
    private static partial void LogLoginThrottled(ILogger log, string name, string client);

    [LoggerMessage(Level = LogLevel.Information, Message = "dashboard: logout of {Name} from [{Client}]")]
    private static partial void LogLogout(ILogger log, string name, string client);

    [LoggerMessage(Level = LogLevel.Information, Message = "dashboard: {Name} from [{Client}]: {Action}")]
    internal static partial void LogAction(ILogger log, string name, string client, string action);

    /// <summary>Logs an admin's change (one greppable line, with the queue id or address it touched).</summary>
    internal void Audit(HttpContext http, string action) => LogAction(_log, http.User.Identity?.Name ?? "?", ClientAddress(http), action);
}
