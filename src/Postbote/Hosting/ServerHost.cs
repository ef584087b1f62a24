using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Postbote.Admin;
using Postbote.Configuration;
using Postbote.Core.Sasl;
using Postbote.Directory;
using Postbote.Queue;
using Postbote.Smtpd;
using Postbote.Smtpd.Tls;
using System.Diagnostics.Metrics;

namespace Postbote.Hosting;

/// <summary>The composition root of `postbote serve`: Kestrel listeners, the spool, the sessions' shared services.</summary>
public static class ServerHost
{
    /// <param name="time">The clock of every part (tests pass a FakeTimeProvider); the system clock by default.</param>
    public static async Task<WebApplication> BuildAsync(ResolvedConfiguration config, Action<ILoggingBuilder>? logging = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // Created by the container (not given as an instance) so that disposing the host disposes it: the last lines are written.
        builder.Services.AddSingleton<ILoggerProvider>(_ => new BufferedConsoleLoggerProvider(Console.OpenStandardOutput(),
            Microsoft.Extensions.Hosting.Systemd.SystemdHelpers.IsSystemdService(), TimeProvider.System));
        builder.Logging.SetMinimumLevel(Enum.Parse<LogLevel>(config.Options.LogLevel, ignoreCase: true));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        builder.Services.AddSystemd();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = config.Server.Limits.ShutdownGracePeriod + TimeSpan.FromSeconds(5));

        DataDirectory.Create(config.DataDirectory);
        builder.Services.AddSingleton(config);
        var directory = await OpenDirectoryAsync(config).ConfigureAwait(false);
        builder.Services.AddSingleton<IMailDirectory>(directory);
        if (directory is PostgresMailDirectory shared)
            builder.Services.AddHostedService(sp => new DirectoryChangeListener(shared, sp.GetRequiredService<ILogger<DirectoryChangeListener>>()));
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(sp => new Spool(config.QueueDirectory, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Spool>>(), config.Options.Queue.SyncMode)
        {
            Metrics = new QueueMetrics(sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<TimeProvider>()),
        });
        builder.Services.AddSingleton(sp => new CertificateProvider(config.Options.Tls.CertificateFile, config.Options.Tls.KeyFile, config.DataDirectory,
            config.Server.Hostname, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CertificateProvider>>()));
        builder.Services.AddSingleton(sp => DeliveryComposition.BuildDns(config, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<IMeterFactory>()));
        builder.Services.AddSingleton(sp => DeliveryComposition.Build(config, directory, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<Postbote.Dns.DnsResolver>(), sp.GetRequiredService<IMeterFactory>()));
        builder.Services.AddSingleton(sp => DkimComposition.Create(config, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Postbote.Dkim")));
        builder.Services.AddSingleton(sp => new QueueManager(sp.GetRequiredService<Spool>(),
            sp.GetRequiredService<DeliveryServices>().Router,
            Microsoft.Extensions.Options.Options.Create(config.Options.Queue), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>())
        {
            DkimSigner = sp.GetRequiredService<Postbote.MailAuth.Dkim.DkimSigner>(),
        });
        if (!config.Options.Queue.DeferDelivery) builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueManager>());
        builder.Services.AddSingleton(sp => new SmtpServices
        {
            Options = config.Server,
            Metrics = new SmtpdMetrics(sp.GetRequiredService<IMeterFactory>()),
            Spool = sp.GetRequiredService<Spool>(),
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
            Time = sp.GetRequiredService<TimeProvider>(),
            Certificates = sp.GetRequiredService<CertificateProvider>(),
            AuthThrottle = new AuthThrottle(config.Server.Limits, sp.GetRequiredService<TimeProvider>()),
            RateLimiter = config.Options.RateLimits.AnyEnabled
                ? new Postbote.Smtpd.RateLimiting.ClientRateLimiter(config.Options.RateLimits, config.Server.TrustedNetworks, sp.GetRequiredService<TimeProvider>())
                : null,
            Screen = ScreeningConfiguration.BuildScreen(config, () => sp.GetRequiredService<Postbote.Dns.DnsResolver>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()),
            Filters = FiltersConfiguration.Build(config.Options, sp.GetRequiredService<ILoggerFactory>()),
            Greylist = ScreeningConfiguration.BuildGreylist(config, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()),
            Restrictions = ScreeningConfiguration.BuildRestrictions(config, () => sp.GetRequiredService<Postbote.Dns.DnsResolver>(), sp.GetRequiredService<ILoggerFactory>()),
            Recipients = new DirectoryRecipientValidator(directory, MaildirMailboxQuota.For(config, directory, sp.GetRequiredService<DeliveryServices>().Maildir, sp.GetRequiredService<TimeProvider>()), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Postbote.Recipients")),
            Etrn = new QueueEtrnService(sp.GetRequiredService<QueueManager>()),
            Spf = config.Options.MailAuth.SpfEnabled
                ? new SpfCheckStep(new Postbote.MailAuth.Spf.SpfEvaluator(sp.GetRequiredService<Postbote.Dns.DnsResolver>(), config.Options.MailAuth,
                    config.Server.Hostname, sp.GetRequiredService<TimeProvider>()), config.Options.MailAuth, config.Server.Hostname,
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger("Postbote.Spf"))
                : null,
            Dkim = sp.GetRequiredService<Postbote.MailAuth.Dkim.DkimSigner>(),
            Srs = SrsComposition.Create(config, sp.GetRequiredService<TimeProvider>()),
            InboundChecks = MailAuthComposition.CreateChecks(config, sp.GetRequiredService<Postbote.Dns.DnsResolver>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Postbote.MailAuth")),
            ArcSealer = config.Options.Arc.Seal && config.Options.Dkim.Sign
                ? new Postbote.MailAuth.Arc.ArcSealer(sp.GetRequiredService<Postbote.MailAuth.Dkim.DkimSigner>(), config.Options.Dkim,
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Postbote.Arc"))
                : null,
            ArcVerifier = config.Options.Arc.Seal && config.Options.Dkim.Sign
                ? new Postbote.MailAuth.Arc.ArcVerifier(new Postbote.MailAuth.Dkim.DkimVerifier(sp.GetRequiredService<Postbote.Dns.DnsResolver>(), sp.GetRequiredService<TimeProvider>()))
                : null,
            FreeSpace = new SpoolFreeSpace(config.QueueDirectory, sp.GetRequiredService<TimeProvider>()),
            SentFolder = config.Options.LocalDelivery.SentCopy
                ? new MaildirSentFolder(sp.GetRequiredService<DeliveryServices>().Maildir, config.Options.LocalDelivery.SentFolder)
                : null,
            Authenticator = new DirectoryAuthenticator(directory, config.Options.Auth.Mechanisms ?? DirectoryAuthenticator.DefaultMechanisms,
                new SaslServerOptions { Hostname = config.Server.Hostname, UnknownUserIterations = directory.Options.PasswordIterations }),
        });
        builder.Services.AddSingleton(sp => new SmtpConnectionHandler(sp.GetRequiredService<SmtpServices>(),
            sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));

        MetricsComposition.Add(builder.Services, config);

        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentConnections = null;
            foreach (var listener in config.Listeners)
            {
                k.Listen(listener.Endpoint, lo => lo.Run(ctx => lo.ApplicationServices.GetRequiredService<SmtpConnectionHandler>().HandleAsync(ctx, listener)));
            }
        });

        var app = builder.Build();
        app.MapAdminEndpoint(config);
        // The start-up scan runs before any listener accepts a connection.
        app.Services.GetRequiredService<Spool>().Recover();
        app.Services.GetRequiredService<CertificateProvider>();
        app.Services.GetRequiredService<SmtpConnectionHandler>(); // built now: a screening cache that cannot open stops the start, not the first session
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Postbote");
        if ((await directory.ListUsersAsync().ConfigureAwait(false)).Count == 0)
            log.LogWarning("no users yet: every local part of the local domains is accepted until the first user or alias exists (postbote user add ADDRESS)");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            // With port 0 in the configuration the kernel picks the port; Kestrel reports the bound addresses in listener order.
            var bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.ToList() ?? new List<string>();
            for (int i = 0; i < config.Listeners.Count; i++)
            {
                var l = config.Listeners[i];
                string endpoint = i < bound.Count ? bound[i].Replace("http://", "", StringComparison.Ordinal) : l.Endpoint.ToString();
                log.LogInformation("listening on {Endpoint} ({Name}, {Role}{Tls})", endpoint, l.Name, l.Role, l.ImplicitTls ? ", implicit TLS" : "");
            }
            log.LogInformation("postbote {Version} ready: hostname {Hostname}, domains {Domains}, data {Data}", VersionInfo.Version,
                config.Server.Hostname, string.Join(",", config.Server.LocalDomains), config.DataDirectory);
        });
        return app;
    }

    /// <summary>
    /// Opens the configured directory (the SQLite file under the data directory, or the shared PostgreSQL database,
    /// migrated first when <c>Directory:MigrateOnStart</c> or <paramref name="migrate"/>) and makes the configured domains local in it.
    /// </summary>
    public static async Task<SqlMailDirectory> OpenDirectoryAsync(ResolvedConfiguration config, bool migrate = false)
    {
        var options = config.Options.Directory;
        SqlMailDirectory directory;
        if (options.IsPostgres)
            directory = await PostgresMailDirectory.OpenAsync(options.ConnectionString!, new MailDirectoryOptions(), migrate || options.MigrateOnStart).ConfigureAwait(false);
        else
        {
            DataDirectory.Create(config.DataDirectory);
            directory = await SqliteMailDirectory.OpenAsync(config.DirectoryDatabase, new MailDirectoryOptions()).ConfigureAwait(false);
        }
        foreach (var domain in config.Server.LocalDomains)
            await directory.AddDomainAsync(domain).ConfigureAwait(false);
        return directory;
    }
}
