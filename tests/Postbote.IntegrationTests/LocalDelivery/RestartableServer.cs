using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Postbote.Configuration;
using Postbote.Directory;
using Postbote.Hosting;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.Queue;

namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>
/// The real server in this process on a data directory that outlives it, so a test can stop it, tamper with the
/// spool as a crash would have left it, and start it again on the same data. The caller deletes the directory.
/// </summary>
internal sealed class RestartableServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RestartableServer(WebApplication app, string dataDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        MxPort = new Uri(addresses[0]).Port;
    }

    public string DataDirectory { get; }
    public int MxPort { get; }
    public Spool Spool => _app.Services.GetRequiredService<Spool>();
    public IMailDirectory Directory => _app.Services.GetRequiredService<IMailDirectory>();

    public static async Task<RestartableServer> StartAsync(string dataDirectory, bool deliver)
    {
        var options = PostboteTestServer.DefaultOptions(dataDirectory);
        options.Queue.DeferDelivery = !deliver;
        var app = await ServerHost.BuildAsync(ConfigurationLoader.Resolve(options), l => l.AddProvider(new CapturingLoggerProvider()));
        await app.StartAsync();
        return new RestartableServer(app, dataDirectory);
    }

    public IReadOnlyList<Core.Envelope.QueuedMessage> Queued() => Spool.List(QueueState.Active).ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
