using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Postbote.Directory;

namespace Postbote.Hosting;

/// <summary>
/// Runs the PostgreSQL directory's LISTEN for the server's lifetime (registered first, so it stops last): a change any
/// node commits clears this node's directory caches within the notification's round trip.
/// </summary>
public sealed class DirectoryChangeListener(PostgresMailDirectory directory, ILogger<DirectoryChangeListener> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        directory.StartListening(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => directory.StopListeningAsync();
}
