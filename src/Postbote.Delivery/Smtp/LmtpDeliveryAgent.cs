using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Postbote.Core.Delivery;

namespace Postbote.Delivery.Smtp;

/// <summary>
/// Delivers to a local LMTP server (RFC 2033) over TCP or a Unix domain socket, with one result per accepted
/// recipient from the replies after the final dot. Shares <see cref="SmtpClientConnection"/> with SMTP.
/// </summary>
public sealed class LmtpDeliveryAgent : IDeliveryAgent
{
    private readonly SmtpEndpoint _endpoint;
    private readonly SmtpClientOptions _client;
    private readonly ISmtpClientAuthenticator? _authenticator;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;

    /// <summary>Creates the agent; throws <see cref="FormatException"/> when the endpoint cannot be parsed.</summary>
    public LmtpDeliveryAgent(LmtpDeliveryOptions options, ISmtpClientAuthenticator? authenticator = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _endpoint = new SmtpEndpoint(options.HostName, ParseEndpoint(options.Endpoint));
        _client = options.Client.Clone();
        _client.Lmtp = true;
        _authenticator = authenticator;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger;
    }

    /// <inheritdoc/>
    public string Name => "lmtp";

    /// <summary>Parses "unix:/path", "/path", "host:port" (IP only) or "[v6]:port".</summary>
    public static EndPoint ParseEndpoint(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
            return new UnixDomainSocketEndPoint(endpoint[5..]);
        if (endpoint.StartsWith('/'))
            return new UnixDomainSocketEndPoint(endpoint);
        if (IPEndPoint.TryParse(endpoint, out var ip) && ip.Port != 0)
            return ip;
        throw new FormatException($"LMTP endpoint '{endpoint}' is neither unix:/path nor ip:port");
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Recipients.Count == 0)
            return Array.Empty<RecipientResult>();
        return await SmtpDeliveryAgent.WithinSessionTimeLimitAsync(request, _client, _endpoint.RemoteMta, _time,
            token => DeliverOnceAsync(request, token), cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<RecipientResult>> DeliverOnceAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        SmtpClientConnection connection;
        try
        {
            connection = await SmtpClientConnection.OpenAsync(_endpoint, _client, _authenticator, _time, _logger, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpSessionException ex)
        {
            _logger?.LogInformation("{QueueId}: {Remote}: {Reason}", request.QueueId, _endpoint.RemoteMta, ex.Message);
            return request.Recipients.Select(r => ex.IsPermanent
                ? RecipientResult.Permanent(r.Address, ex.Status, ex.Message, _endpoint.RemoteMta, FailureScope.Session)
                : RecipientResult.Temporary(r.Address, ex.Status, ex.Message, _endpoint.RemoteMta, FailureScope.Session)).ToList();
        }
        await using (connection.ConfigureAwait(false))
        {
            return await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
