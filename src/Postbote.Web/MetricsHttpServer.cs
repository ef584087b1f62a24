using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Postbote.Web;

/// <summary>
/// The HTTP listener (Http:Endpoint): GET /metrics in the Prometheus text format (no login, for Prometheus) and,
/// when given, the web dashboard (<see cref="Dashboard.Dashboard"/>, behind a login). It is a Kestrel server of its
/// own, so that its HTTP pipeline never touches the mail listeners or the admin sockets. Started and stopped with
/// the server (a hosted service).
/// </summary>
public sealed partial class MetricsHttpServer : IHostedService, IAsyncDisposable
{
    private readonly IPEndPoint _endpoint;
    private readonly MetricsCollector _collector;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly int _maxConnections, _maxRequestHeaderBytes;
    private readonly Dashboard.Dashboard? _dashboard;
    private WebApplication? _app;

    /// <summary>Request bodies the dashboard's forms may send (a user or alias form is well under 1 KiB).</summary>
    public const int MaxFormBytes = 64 * 1024;

    /// <param name="maxConnections">Http:MaxConnections.</param>
    /// <param name="maxRequestHeaderBytes">Http:MaxRequestHeaderBytes.</param>
    /// <param name="dashboard">The dashboard to serve beside /metrics, or null (Http:Dashboard:Enabled false).</param>
    public MetricsHttpServer(IPEndPoint endpoint, MetricsCollector collector, ILoggerFactory loggers, int maxConnections = 16, int maxRequestHeaderBytes = 16 * 1024,
        Dashboard.Dashboard? dashboard = null)
    {
        _dashboard = dashboard;
        _maxConnections = maxConnections;
        _maxRequestHeaderBytes = maxRequestHeaderBytes;
        _endpoint = endpoint;
        _collector = collector;
        _loggers = loggers;
        _log = loggers.CreateLogger("Postbote.Web");
    }

    /// <summary>The bound address (the kernel's port when the setting says port 0); null before start.</summary>
    public IPEndPoint? BoundEndpoint { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_loggers);
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            // A scrape is a small GET: bound what a stranger on the port can make us hold.
            k.Limits.MaxRequestHeadersTotalSize = _maxRequestHeaderBytes;
            k.Limits.MaxRequestLineSize = Math.Min(k.Limits.MaxRequestLineSize, _maxRequestHeaderBytes);
            k.Limits.MaxRequestBodySize = _dashboard is null ? 0 : MaxFormBytes;
            k.Limits.MaxConcurrentConnections = _maxConnections;
            k.Listen(_endpoint, lo => lo.Protocols = HttpProtocols.Http1);
        });
        _dashboard?.AddServices(builder.Services);
        var app = builder.Build();
        _dashboard?.Map(app);
        var metrics = app.MapGet("/metrics", (HttpContext http) =>
        {
            string text = PrometheusTextWriter.Write(_collector.Collect());
            return Results.Text(text, PrometheusTextWriter.ContentType);
        });
        if (_dashboard is not null) metrics.AllowAnonymous();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            // serve reports an IOException about an address as "cannot listen" (exit 71): the message names the setting.
            throw new IOException($"Http:Endpoint: cannot listen on {_endpoint}: {e.Message}", e);
        }
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        BoundEndpoint = address is null ? _endpoint : new IPEndPoint(_endpoint.Address, new Uri(address).Port);
        LogListening(BoundEndpoint);
        if (_dashboard is not null) LogDashboard(BoundEndpoint);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app) await app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app) await app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "metrics on http://{Endpoint}/metrics")]
    private partial void LogListening(IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "dashboard on http://{Endpoint}/ (admins: postbote admin add NAME)")]
    private partial void LogDashboard(IPEndPoint endpoint);
}
