using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Postbote.Configuration;
using Postbote.Web;

namespace Postbote.Hosting;

/// <summary>The HTTP listener of `serve` (Http:Endpoint): the collector of this server's meters and /metrics on its own Kestrel.</summary>
public static class MetricsComposition
{
    public static void Add(IServiceCollection services, ResolvedConfiguration config)
    {
        if (config.HttpEndpoint is not { } endpoint) return;
        services.AddSingleton(sp => new MetricsCollector(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => new MetricsHttpServer(endpoint, sp.GetRequiredService<MetricsCollector>(), sp.GetRequiredService<ILoggerFactory>(),
            config.Options.Http.MaxConnections, config.Options.Http.MaxRequestHeaderBytes));
        services.AddHostedService(sp => sp.GetRequiredService<MetricsHttpServer>());
    }
}
