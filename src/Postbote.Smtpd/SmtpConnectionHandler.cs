using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Postbote.Smtpd.Proxy;

namespace Postbote.Smtpd;

/// <summary>
/// Kestrel's entry point for a mail listener: one <see cref="SmtpSession"/> per connection. A bug in one
/// session is logged and ends that connection only. On a PROXY-protocol listener the header is read first and
/// the session sees the original client's address.
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
            if (listener.ProxyProtocol is { } proxy)
            {
                if (await ReadProxyHeaderAsync(connection, listener, proxy, remote).ConfigureAwait(false) is not { } client) return;
                remote = client;
            }
            var session = new SmtpSession(connection.Transport, remote, listener, _services, _stopping, connection.Abort)
            {
                LocalEndPoint = connection.LocalEndPoint as IPEndPoint,
            };
            await session.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogSessionBug(remote, e);
        }
    }

    /// <summary>The client's endpoint from the PROXY header, or null when the connection must be closed (logged).</summary>
    private async Task<IPEndPoint?> ReadProxyHeaderAsync(ConnectionContext connection, SmtpListener listener, ProxyProtocolSettings proxy, IPEndPoint peer)
    {
        if (!proxy.IsAllowed(peer.Address))
        {
            LogProxyRefused(peer, listener.Name);
            return null;
        }
        var (header, failure) = await ProxyProtocolReader.ReadAsync(connection.Transport.Input, proxy, _services.Time, _stopping).ConfigureAwait(false);
        if (header is null)
        {
            LogProxyFailed(peer, listener.Name, failure!);
            return null;
        }
        return header.Source ?? peer;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "session with {Remote} failed unexpectedly")]
    private partial void LogSessionBug(IPEndPoint remote, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PROXY: connection from {Peer} refused on listener {Listener}: not a configured proxy (ProxyProtocolFrom)")]
    private partial void LogProxyRefused(IPEndPoint peer, string listener);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PROXY: no valid header from proxy {Peer} on listener {Listener}: {Reason}; connection closed")]
    private partial void LogProxyFailed(IPEndPoint peer, string listener, string reason);
}
