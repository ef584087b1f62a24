using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Postbote.Web.Dashboard;

/// <summary>The frame of every dashboard page (navigation, logout form) and the small pieces pages share.</summary>
internal static class Layout
{
    private static readonly (string Path, string Label)[] Navigation =
        [("/", "Overview"), ("/queue", "Queue"), ("/log", "Log"), ("/domains", "Domains"), ("/users", "Users"), ("/aliases", "Aliases"), ("/dkim", "DKIM")];

    /// <summary>A page with navigation, for a logged-in admin.</summary>
    public static IResult Page(HttpContext http, string title, string current, Markup body, int status = StatusCodes.Status200OK)
    {
        var nav = new Html();
        nav.Add($"<nav><span class=\"brand\">Postbote</span>");
        foreach (var (path, label) in Navigation)
            nav.Add($"<a href=\"{path}\"{(path == current ? new Markup(" aria-current=\"page\"") : Markup.Empty)}>{label}</a>");
        nav.Add($"<form method=\"post\" action=\"/logout\" class=\"logout\">{Csrf(http)}<span>{http.User.Identity?.Name}</span><button type=\"submit\">Log out</button></form></nav>");
        return Document(title, Html.Of($"{nav.ToMarkup()}<main id=\"main\"><h1>{title}</h1>{body}</main>"), status);
    }

    /// <summary>A page without navigation (the login form).</summary>
    public static IResult Bare(HttpContext http, string title, Markup body, int status) => Document(title, Html.Of($"<main class=\"bare\">{body}</main>"), status);

    /// <summary>An error page: for a logged-in admin with navigation, else bare.</summary>
    public static IResult Error(HttpContext http, int status, string title, string message)
    {
        var body = Html.Of($"<p class=\"error\" role=\"alert\">{message}</p><p><a href=\"/\">Overview</a></p>");
        return http.User.Identity?.IsAuthenticated == true ? Page(http, title, "", body, status) : Bare(http, title, body, status);
    }

    private static IResult Document(string title, Markup body, int status) => Results.Content(
        Html.Of($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · Postbote</title><link rel=\"stylesheet\" href=\"/assets/dashboard.css\"><script src=\"/assets/dashboard.js\" defer></script></head><body>{body}</body></html>").Value,
        "text/html; charset=utf-8", null, status);

    /// <summary>The hidden antiforgery field every form carries.</summary>
    public static Markup Csrf(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return Html.Of($"<input type=\"hidden\" name=\"{tokens.FormFieldName}\" value=\"{tokens.RequestToken}\">");
    }

    /// <summary>A confirmation step: what will happen, a POST button to do it, and a way back.</summary>
    public static IResult Confirm(HttpContext http, string title, string current, string question, string action, string button,
        IEnumerable<(string Name, string Value)> fields, string cancel, Markup extra = default)
    {
        var form = new Html();
        form.Add($"<form method=\"post\" action=\"{action}\" class=\"confirm\">{Csrf(http)}<p>{question}</p>");
        foreach (var (name, value) in fields) form.Add($"<input type=\"hidden\" name=\"{name}\" value=\"{value}\">");
        form.Add($"{extra}<button type=\"submit\" class=\"danger\">{button}</button> <a href=\"{cancel}\">Cancel</a></form>");
        return Page(http, title, current, form.ToMarkup());
    }

    /// <summary>A one-line notice after a change (a known key from a redirect's ?done=, never free text from the URL).</summary>
    public static Markup Notice(string? text) => string.IsNullOrEmpty(text) ? Markup.Empty : Html.Of($"<p class=\"notice\" role=\"status\">{text}</p>");

    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        if (age.TotalMinutes < 1) return $"{(int)age.TotalSeconds}s";
        if (age.TotalHours < 1) return $"{(int)age.TotalMinutes}m";
        if (age.TotalDays < 1) return $"{(int)age.TotalHours}h {age.Minutes}m";
        return $"{(int)age.TotalDays}d {age.Hours}h";
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
    };

    public static string Time(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "-";

    public static string Truncate(string? text, int max) => text is null ? "" : text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>The form field, trimmed ("" when absent).</summary>
    public static string Field(IFormCollection form, string name) => form[name].ToString().Trim();
}
