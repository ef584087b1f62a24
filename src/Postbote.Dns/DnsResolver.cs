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
public sealed class DnsResolver
{
    private readonly List<(DnsClient Client, string Label)> _clients = new();
    private readonly ILogger? _logger;
    public DnsMetrics Metrics { get; init; } = new();

    /// <summary>Creates a resolver from <paramref name="options"/>; throws <see cref="FormatException"/> on a bad server entry.</summary>
    public DnsResolver(DnsOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
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

    /// <summary>Queries <paramref name="name"/> for records of <paramref name="type"/> (class IN).</summary>
    public async Task<DnsAnswer> QueryAsync(string name, RecordType type, CancellationToken cancellationToken)
    {
        using var timing = Metrics.Measure(type);
        DomainName domainName;
        try
        {
            domainName = DomainName.Parse(name.TrimEnd('.'));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return new DnsAnswer(DnsAnswerStatus.NxDomain, Array.Empty<DnsRecordBase>(), $"invalid domain name '{name}'");
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
                detail = $"{label}: {ex.Message}";
                _logger?.LogDebug(ex, "DNS query {Name}/{Type} to {Server} failed", name, type, label);
                continue;
            }
            if (response is null)
            {
                detail = $"timeout or no usable answer from {label}";
                continue;
            }
            switch (response.ReturnCode)
            {
                case ReturnCode.NoError:
                    var records = response.AnswerRecords.Where(r => r.RecordType == type).ToList();
                    return records.Count > 0
                        ? new DnsAnswer(DnsAnswerStatus.Success, records, label)
                        : new DnsAnswer(DnsAnswerStatus.NoData, records, $"no {type} record for {name}");
                case ReturnCode.NxDomain:
                    return new DnsAnswer(DnsAnswerStatus.NxDomain, Array.Empty<DnsRecordBase>(), $"{name}: NXDOMAIN");
                default:
                    detail = $"{response.ReturnCode} from {label} for {name}/{type}";
                    break;
            }
        }
        _logger?.LogDebug("DNS query {Name}/{Type} failed temporarily: {Detail}", name, type, detail);
        return new DnsAnswer(DnsAnswerStatus.TemporaryFailure, Array.Empty<DnsRecordBase>(), detail);
    }
}
