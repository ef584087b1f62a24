using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Postbote.Core.Delivery;
using Postbote.Delivery.Dns;
using Postbote.Delivery.Tls;

namespace Postbote.Delivery.Smtp;

/// <summary>
/// Delivers a message to remote recipients over SMTP: resolves the route (the recipients' MX, or the relayhost),
/// then tries host after host and address after address while the failure is session-wide (connection refused,
/// 4xx greeting, timeout, drop). A request's recipients must share one destination domain (the queue manager
/// groups them). Recipients that failed on every host get <see cref="FailureScope.Site"/>.
/// </summary>
public sealed class SmtpDeliveryAgent : IDeliveryAgent
{
    private readonly SmtpDeliveryOptions _options;
    private readonly MxResolver _resolver;
    private readonly ISmtpClientAuthenticator? _relayAuthenticator;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    public DeliveryMetrics Metrics { get; init; } = new();

    /// <summary>Creates the agent.</summary>
    /// <param name="options">Port, client settings, optional relayhost.</param>
    /// <param name="resolver">MX and address resolution.</param>
    /// <param name="relayAuthenticator">AUTH for the relayhost; defaults to PLAIN/LOGIN with Relayhost:User/Password when set.</param>
    /// <param name="timeProvider">Clock for every timeout.</param>
    /// <param name="logger">Optional logger (protocol transcript at Debug, AUTH redacted).</param>
    public SmtpDeliveryAgent(SmtpDeliveryOptions options, MxResolver resolver, ISmtpClientAuthenticator? relayAuthenticator = null,
        TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        _relayAuthenticator = relayAuthenticator
            ?? (options.Relayhost is { User: { } user } relay ? new SaslClientAuthenticator(user, relay.Password ?? "") : null);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger;
    }

    /// <inheritdoc/>
    public string Name => "smtp";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Recipients.Count == 0)
            return Array.Empty<RecipientResult>();
        MxRoute route;
        if (_options.Relayhost is { } relay)
        {
            route = await _resolver.ResolveHostAsync(relay.Host, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var address = request.Recipients[0].Address;
            var at = address.LastIndexOf('@');
            route = at < 0
                ? MxRoute.Failed(address, true, "5.1.3", $"recipient address {address} has no domain")
                : await _resolver.ResolveAsync(address[(at + 1)..], cancellationToken).ConfigureAwait(false);
        }
        return await DeliverAsync(request, route, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delivers over an already resolved route (e.g. from the Router); see <see cref="DeliverAsync(DeliveryRequest, CancellationToken)"/>.</summary>
    public async Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, MxRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var recipients = request.Recipients;
        var final = new RecipientResult[recipients.Count];
        if (!route.IsSuccess)
        {
            var error = route.Error ?? new RouteError(false, "4.4.3", $"no host to deliver to for {route.Domain}");
            for (var i = 0; i < final.Length; i++)
            {
                final[i] = error.IsPermanent
                    ? RecipientResult.Permanent(recipients[i].Address, error.Status, error.Diagnostic, null, FailureScope.Site)
                    : RecipientResult.Temporary(recipients[i].Address, error.Status, error.Diagnostic, null, FailureScope.Site);
            }
            return final;
        }

        var relayClient = _options.Relayhost is { } relay ? ClientOptionsFor(relay) : null;
        var learning = false;
        var policy = relayClient is null ? _options.TlsPolicies.Effective(route.Domain, _options.LearnedTlsLevels, out learning, out _) : null;
        var port = _options.Relayhost?.Port ?? _options.Port;
        var pending = Enumerable.Range(0, recipients.Count).ToList();
        var attempts = 0;
        foreach (var (host, address) in route.Hosts.SelectMany(h => h.Addresses.Select(a => (h, a))))
        {
            if (pending.Count == 0 || attempts++ >= _options.MaxAddressesPerDelivery)
                break;
            var endpoint = new SmtpEndpoint(host.Name, address, port);
            var subset = pending.Select(i => recipients[i]).ToList();
            var attempt = request with { Recipients = subset };
            var client = relayClient ?? ClientOptionsFor(policy!, route.Domain, host.Name);
            var results = policy is { Level: TlsLevel.DaneOnly }
                ? NoUsableTlsa(attempt, endpoint, policy)
                : await WithinSessionTimeLimitAsync(attempt, client, endpoint.RemoteMta, _time,
                    token => AttemptAsync(attempt, endpoint, client, token), cancellationToken).ConfigureAwait(false);
            var stillPending = new List<int>();
            for (var k = 0; k < pending.Count; k++)
            {
                final[pending[k]] = results[k];
                if (results[k].Scope == FailureScope.Session)
                    stillPending.Add(pending[k]);
            }
            pending = stillPending;
            if (learning && results.FirstOrDefault(r => r.IsSuccess) is { Tls: { IsTls: true } security }
                && _options.LearnedTlsLevels!.Learn(route.Domain, security) is { } learned)
            {
                _logger?.LogInformation("{QueueId}: learned TLS level {Level} for {Domain} from {Remote} ({Tls}); later sessions that offer less are deferred (postbote tls forget {Domain})",
                    request.QueueId, learned == LearnedTlsLevel.Verified ? "verified" : "encrypted", route.Domain, endpoint.RemoteMta, security.LogText, route.Domain);
            }
        }
        foreach (var i in pending)
            final[i] = final[i] with { Scope = FailureScope.Site };
        return final;
    }

    /// <summary>
    /// Runs one delivery on one connection within <see cref="SmtpClientOptions.SessionTimeLimit"/>: past it the
    /// delivery is cancelled (the connection, in an unknown state, is closed without QUIT and never reused) and every
    /// recipient deferred with 4.4.2 for the session, so that the next host is tried and the destination's feedback
    /// counts a failure. Cancellation by <paramref name="cancellationToken"/> still throws.
    /// </summary>
    internal static async Task<IReadOnlyList<RecipientResult>> WithinSessionTimeLimitAsync(DeliveryRequest request, SmtpClientOptions client,
        string remoteMta, TimeProvider time, Func<CancellationToken, Task<IReadOnlyList<RecipientResult>>> attempt, CancellationToken cancellationToken)
    {
        if (client.SessionTimeLimit <= TimeSpan.Zero)
            return await attempt(cancellationToken).ConfigureAwait(false);
        using var limit = new CancellationTokenSource(client.SessionTimeLimit, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            return await attempt(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var why = $"delivery to {remoteMta} took longer than the session time limit of {client.SessionTimeLimit.TotalSeconds:0} s";
            return request.Recipients.Select(r => RecipientResult.Temporary(r.Address, "4.4.2", why, remoteMta, FailureScope.Session)).ToList();
        }
    }

    /// <summary>Reuses connections between deliveries to the same host (null: one connection per delivery).</summary>
    public SmtpConnectionCache? ConnectionCache { get; init; }

    private async Task<IReadOnlyList<RecipientResult>> AttemptAsync(DeliveryRequest request, SmtpEndpoint endpoint, SmtpClientOptions client, CancellationToken cancellationToken)
    {
        // A connection serves only deliveries under the same TLS requirement (level, source, match names).
        string key = client.CertificateMatch is { } names
            ? $"{endpoint.RemoteMta}|{client.Tls}|{client.ImplicitTls}|{client.TlsPolicyKey}|{string.Join(',', names)}"
            : $"{endpoint.RemoteMta}|{client.Tls}|{client.ImplicitTls}|{client.TlsPolicyKey}";
        if (ConnectionCache?.TryTake(key) is { } cached)
        {
            IReadOnlyList<RecipientResult> reused;
            try
            {
                reused = await cached.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await cached.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            // A cached connection the peer closed meanwhile fails as a session: that says nothing about the host,
            // so try again on a fresh connection rather than moving on to the next MX.
            if (!reused.All(r => r.Scope == FailureScope.Session && !r.IsSuccess))
            {
                await ConnectionCache.ReturnAsync(key, cached).ConfigureAwait(false);
                Metrics.Sent(request.Size, reused);
                return reused;
            }
            await cached.DisposeAsync().ConfigureAwait(false);
        }
        SmtpClientConnection connection;
        try
        {
            connection = await SmtpClientConnection.OpenAsync(endpoint, client, _options.Relayhost is null ? null : _relayAuthenticator,
                _time, _logger, cancellationToken).ConfigureAwait(false);
            Metrics.Connected(connection.Security);
        }
        catch (SmtpSessionException ex) when (ex.TlsFailure == "failed" && client.Tls == TlsPolicy.Opportunistic && !client.ImplicitTls)
        {
            Metrics.TlsFellBack();
            // Opportunistic TLS must not make mail undeliverable: retry this address once in plaintext (as Postfix does).
            _logger?.LogInformation("{QueueId}: {Remote}: {Reason}; retrying without TLS", request.QueueId, endpoint.RemoteMta, ex.Message);
            var plaintext = client.Clone();
            plaintext.Tls = TlsPolicy.None;
            return await AttemptAsync(request, endpoint, plaintext, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpSessionException ex)
        {
            Metrics.ConnectFailed(ex.TlsFailure);
            _logger?.LogInformation("{QueueId}: {Remote}: {Reason}", request.QueueId, endpoint.RemoteMta, ex.Message);
            return request.Recipients.Select(r => ex.IsPermanent
                ? RecipientResult.Permanent(r.Address, ex.Status, ex.Message, endpoint.RemoteMta, FailureScope.Session)
                : RecipientResult.Temporary(r.Address, ex.Status, ex.Message, endpoint.RemoteMta, FailureScope.Session)).ToList();
        }
        if (ConnectionCache is { } cache)
        {
            cache.Opened(connection);
            IReadOnlyList<RecipientResult> results;
            try { results = await connection.SendAsync(request, cancellationToken).ConfigureAwait(false); }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            await cache.ReturnAsync(key, connection).ConfigureAwait(false);
            Metrics.Sent(request.Size, results);
            return results;
        }
        await using (connection.ConfigureAwait(false))
        {
            var results = await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Metrics.Sent(request.Size, results);
            return results;
        }
    }

    private readonly ConcurrentDictionary<DestinationTlsPolicy, SmtpClientOptions> _clientByPolicy = new();

    /// <summary>
    /// The client settings for MX delivery under <paramref name="policy"/>: derived once per policy; under verify,
    /// a copy per host with the match names resolved for it (hostname, nexthop).
    /// </summary>
    internal SmtpClientOptions ClientOptionsFor(DestinationTlsPolicy policy, string nexthop, string mxHost)
    {
        var derived = _clientByPolicy.GetOrAdd(policy, static (p, o) =>
        {
            var client = o.Client.Clone();
            client.Tls = p.Level switch
            {
                TlsLevel.None => TlsPolicy.None,
                TlsLevel.May or TlsLevel.Dane => TlsPolicy.Opportunistic,
                _ => TlsPolicy.Required,
            };
            client.VerifyCertificate = p.Level == TlsLevel.Verify;
            client.TrustAnchors = p.TrustAnchors;
            client.TlsPolicyKey = p.Describe();
            return client;
        }, _options);
        if (policy.Level != TlsLevel.Verify)
            return derived;
        var perHost = derived.Clone();
        perHost.CertificateMatch = TlsMatchNames.Resolve(policy.Match, mxHost, nexthop);
        return perHost;
    }

    /// <summary>
    /// dane-only without DNSSEC-validated TLSA records: deferred without connecting (RFC 7672 §2.2: no usable TLSA
    /// under a mandatory DANE policy is a failure, never plaintext). Postbote does not look TLSA records up yet.
    /// </summary>
    private IReadOnlyList<RecipientResult> NoUsableTlsa(DeliveryRequest request, SmtpEndpoint endpoint, DestinationTlsPolicy policy)
    {
        var why = $"TLS policy {policy.Describe()} requires DANE, but there are no DNSSEC-validated TLSA records for _{endpoint.EndPoint switch { IPEndPoint ip => ip.Port, _ => 25 }}._tcp.{endpoint.HostName} (TLSA lookup is not supported)";
        _logger?.LogInformation("{QueueId}: {Remote}: {Reason}", request.QueueId, endpoint.RemoteMta, why);
        return request.Recipients.Select(r => RecipientResult.Temporary(r.Address, "4.7.5", why, endpoint.RemoteMta, FailureScope.Session)).ToList();
    }

    private SmtpClientOptions ClientOptionsFor(RelayhostOptions relay)
    {
        var client = _options.Client.Clone();
        client.VerifyCertificate = relay.VerifyCertificate;
        client.ImplicitTls = relay.Tls == RelayTlsMode.Implicit;
        client.Tls = relay.Tls switch
        {
            RelayTlsMode.StartTls => TlsPolicy.Required,
            _ => TlsPolicy.None,
        };
        return client;
    }
}
