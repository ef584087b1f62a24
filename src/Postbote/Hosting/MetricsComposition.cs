using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Postbote.Configuration;
using Postbote.Directory;
using Postbote.Queue;
using Postbote.Web;
using Postbote.Web.Dashboard;

namespace Postbote.Hosting;

/// <summary>
/// The HTTP listener of `serve` (Http:Endpoint): the collector of this server's meters and /metrics on its own Kestrel,
/// and the dashboard beside it (Http:Dashboard) with the in-memory tail of the log it shows.
/// </summary>
public static class MetricsComposition
{
    public static void Add(IServiceCollection services, ResolvedConfiguration config)
    {
        if (config.HttpEndpoint is not { } endpoint) return;
        var dashboard = config.Options.Http.Dashboard;
        services.AddSingleton(sp => new MetricsCollector(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        if (dashboard.Enabled)
        {
            // A logger provider of the server's own logging: it sees every line the console does.
            var tail = new MailLogTail(dashboard.MailLogLines, TimeProvider.System);
            services.AddSingleton(tail);
            services.AddSingleton<ILoggerProvider>(tail);
            services.AddSingleton(sp =>
            {
                var directory = sp.GetRequiredService<IMailDirectory>();
                return new Dashboard(dashboard, new DashboardServices
                {
                    Directory = directory,
                    Admins = directory as IAdminAccounts ?? throw new InvalidOperationException("the directory does not store dashboard admins"),
                    Queue = new SpoolQueueControl(sp.GetRequiredService<Spool>(), sp.GetRequiredService<QueueManager>()),
                    Dkim = new Postbote.MailAuth.Dkim.DkimKeyStore(DkimComposition.KeyDirectory(config)),
                    Log = tail,
                    Time = sp.GetRequiredService<TimeProvider>(),
                    KeyDirectory = Path.Combine(config.DataDirectory, "dashboard-keys"),
                }, sp.GetRequiredService<MetricsCollector>(), sp.GetRequiredService<ILoggerFactory>());
            });
        }
        services.AddSingleton(sp => new MetricsHttpServer(endpoint, sp.GetRequiredService<MetricsCollector>(), sp.GetRequiredService<ILoggerFactory>(),
            config.Options.Http.MaxConnections, config.Options.Http.MaxRequestHeaderBytes,
            dashboard.Enabled ? sp.GetRequiredService<Dashboard>() : null));
        services.AddHostedService(sp => sp.GetRequiredService<MetricsHttpServer>());
    }
}
