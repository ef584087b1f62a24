using System.Net;

namespace Postbote.Configuration;

/// <summary>The HTTP listener of `serve` (src/Postbote.Web): Prometheus /metrics and the web dashboard.</summary>
public sealed class HttpOptions
{
    /// <summary>
    /// address:port of the HTTP listener; empty disables it. Default 127.0.0.1:8025: loopback only (metrics tell
    /// an outsider how busy the server is); 8025 is the choice, an unprivileged port that recalls 25.
    /// </summary>
    public string? Endpoint { get; set; } = DefaultEndpoint;

    public const string DefaultEndpoint = "127.0.0.1:8025";

    /// <summary>HTTP connections open at once. Default 16: Prometheus keeps one connection per target, and an admin's
    /// curl or a second scraper fit beside it; more is a stranger holding sockets (no Postfix analogue).</summary>
    public int MaxConnections { get; set; } = 16;

    /// <summary>Bytes of request line and headers. Default 16384: a scrape's GET is a few hundred bytes (Kestrel's own
    /// default is 32 KiB).</summary>
    public int MaxRequestHeaderBytes { get; set; } = 16 * 1024;

    /// <summary>The web dashboard on this listener (Http:Dashboard:Enabled and its settings).</summary>
    public Postbote.Web.Dashboard.DashboardOptions Dashboard { get; set; } = new();

    /// <summary>The endpoint to bind, or null when disabled; a malformed value adds a problem naming Http:Endpoint.</summary>
    public static IPEndPoint? Resolve(HttpOptions http, List<string> problems)
    {
        http.Dashboard.Validate(problems);
        if (http.MaxConnections < 1) problems.Add("Http:MaxConnections must be at least 1");
        if (http.MaxRequestHeaderBytes < 1024) problems.Add("Http:MaxRequestHeaderBytes must be at least 1024");
        if (string.IsNullOrWhiteSpace(http.Endpoint)) return null;
        var text = http.Endpoint.Trim();
        if (!IPEndPoint.TryParse(text, out var ep) || ep.Port == 0 && !text.EndsWith(":0", StringComparison.Ordinal))
        {
            problems.Add($"Http:Endpoint: '{http.Endpoint}' is not an address:port such as 127.0.0.1:8025 (empty disables the HTTP listener)");
            return null;
        }
        return ep;
    }
}
