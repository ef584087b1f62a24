using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Postbote.Smtpd;

/// <summary>
/// Kestrel's entry point for a mail listener: one <see cref="SmtpSession"/> per connection. A bug in one
/// session is logged and ends that connection only.
/// </summary>
public sealed partial class SmtpConnectionHandler
{
    private readonly SmtpServices _services;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;

    public SmtpConnectionHandler(SmtpServices services, CancellationToken stopping)
    {
        _services = services;
        _stopping = stopping;
        _logger = services.LoggerFactory.CreateLogger("Postbote.Smtpd");
    }

    public async Task HandleAsync(ConnectionContext connection, SmtpListener listener)
    {
        var remote = connection.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        try
        {
            var session = new SmtpSession(connection.Transport, remote, listener, _services, _stopping, connection.Abort);
            await session.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogSessionBug(remote, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "session with {Remote} failed unexpectedly")]
    private partial void LogSessionBug(IPEndPoint remote, Exception e);
}
