using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;

namespace Postbote.Dns;

/// <summary>
/// A stub resolver against configurable recursive servers ("ip:port"), built on ARSoft.Tools.Net's
/// <see cref="DnsClient"/> (UDP, falling back to TCP on truncation). Servers are tried in order until one
/// gives a definite answer (NOERROR or NXDOMAIN); SERVFAIL, REFUSED and timeouts become
/// <see cref="DnsAnswerStatus.TemporaryFailure"/>.
/// </summary>
public sealed partial class DnsResolver
{
    private readonly List<(DnsClient Client, string Label)> _clients = new();
    private readonly ILogger? _logger;
    public DnsMetrics Metrics { get; init; } = new();

    /// <summary>
    /// Creates a resolver from <paramref name="options"/>, with its own cache unless CacheMaxEntries is 0; throws
    /// <see cref="FormatException"/> on a bad server entry. One instance serves the whole process (delivery and the accept side).
    /// </summary>
    public DnsResolver(DnsOptions options, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        Cache = options.CacheMaxEntries > 0 ? new DnsCache(options, time) : null;
        var timeoutMs = (int)Math.Clamp(options.QueryTimeout.TotalMilliseconds, 1, int.MaxValue);
        if (options.Servers.Count == 0)
        {
            _clients.Add((new DnsClient(DnsClient.GetLocalConfiguredDnsServers(), timeoutMs), "system"));
            return;
        }
        foreach (var entry in options.Servers)
        {
            var endpoint = ParseServer(entry);
            var client = new DnsClient(new[] { endpoint.Address },
                new IClientTransport[] { new UdpClientTransport(endpoint.Port), new TcpClientTransport(endpoint.Port) },
                false, timeoutMs);
            _clients.Add((client, endpoint.ToString()));
        }
    }

    /// <summary>Parses "ip", "ip:port" or "[v6]:port"; the port defaults to 53.</summary>
    public static IPEndPoint ParseServer(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // IPEndPoint parsing reads "[v6]:port" and "v4:port", and a bare address (also unbracketed IPv6) with port 0.
        if (IPEndPoint.TryParse(entry, out var endpoint))
            return endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint;
        throw new FormatException($"DNS server '{entry}' is not an IP address or ip:port");
    }

    /// <summary>The answers shared by every user of this resolver; null when caching is off.</summary>
    public DnsCache? Cache { get; }

    /// <summary>Queries <paramref name="name"/> for records of <paramref name="type"/> (class IN), from the cache when it holds a live answer.</summary>
    public async Task<DnsAnswer> QueryAsync(string name, RecordType type, CancellationToken cancellationToken)
    {
        if (Cache is not null && Cache.TryGet(name, type, out var cached)) return cached;
        var (answer, ttl) = await QueryServersAsync(name, type, cancellationToken).ConfigureAwait(false);
        Cache?.Store(name, type, answer, ttl);
        return answer;
    }

    private async Task<(DnsAnswer Answer, TimeSpan Ttl)> QueryServersAsync(string name, RecordType type, CancellationToken cancellationToken)
    {
        using var timing = Metrics.Measure(type);
        DomainName domainName;
        try
        {
            domainName = DomainName.Parse(name.TrimEnd('.'));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return (new DnsAnswer(DnsAnswerStatus.NxDomain, Array.Empty<DnsRecordBase>(), $"invalid domain name '{name}'"), TimeSpan.Zero);
        }

        var detail = "no DNS server answered";
        foreach (var (client, label) in _clients)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DnsMessage? response;
            try
            {
                response = await client.ResolveAsync(domainName, type, RecordClass.INet, null, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // A query cancelled by its caller may end in some other exception from ARSoft's transports.
                cancellationToken.ThrowIfCancellationRequested();
                detail = $"{label}: {ex.Message}";
                _logger?.LogDebug(ex, "DNS query {Name}/{Type} to {Server} failed", name, type, label);
                continue;
            }
            // ARSoft answers a cancelled query with null rather than an exception.
            cancellationToken.ThrowIfCancellationRequested();
            if (response is null)
            {
                detail = $"timeout or no usable answer from {label}";
                continue;
            }
            switch (response.ReturnCode)
            {
                case ReturnCode.NoError:
                    var records = response.AnswerRecords.Where(r => r.RecordType == type).ToList();
                    var answer = records.Count > 0
                        ? new DnsAnswer(DnsAnswerStatus.Success, records, label)
                        : new DnsAnswer(DnsAnswerStatus.NoData, records, $"no {type} record for {name}");
                    return (answer, DnsCache.TtlOf(answer.Status, response));
                case ReturnCode.NxDomain:
                    return (new DnsAnswer(DnsAnswerStatus.NxDomain, Array.Empty<DnsRecordBase>(), $"{name}: NXDOMAIN"),
                        DnsCache.TtlOf(DnsAnswerStatus.NxDomain, response));
                default:
                    detail = $"{response.ReturnCode} from {label} for {name}/{type}";
                    break;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        _logger?.LogDebug("DNS query {Name}/{Type} failed temporarily: {Detail}", name, type, detail);
        return (new DnsAnswer(DnsAnswerStatus.TemporaryFailure, Array.Empty<DnsRecordBase>(), detail), TimeSpan.Zero);
    }
}
