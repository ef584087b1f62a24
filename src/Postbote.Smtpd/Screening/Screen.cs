using System.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Postbote.Dns;

namespace Postbote.Smtpd.Screening;

/// <summary>
/// Postfix postscreen's judgement of a client before its session: is it known good (TrustedNetworks, a cached
/// pass), what do the DNS lists say (queried in parallel, bounded by a timeout; no answer never blocks mail), and
/// remembering a pass. The session runs the greet delay and the pregreet test (SmtpSession.Greeting.cs).
/// </summary>
public sealed partial class Screen
{
    private readonly IReadOnlyList<DnsblSite> _sites;
    private readonly DnsResolver? _dns;
    private readonly ScreeningCache? _cache;
    private readonly IReadOnlyList<IPNetwork> _trusted;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    public Screen(ScreeningOptions options, IReadOnlyList<DnsblSite> sites, DnsResolver? dns, ScreeningCache? cache,
        IReadOnlyList<IPNetwork> trusted, TimeProvider time, ILogger log)
    {
        Options = options;
        _sites = sites;
        _dns = dns;
        _cache = cache;
        _trusted = trusted;
        _time = time;
        _log = log;
    }

    public ScreeningOptions Options { get; }

    /// <summary>Screening runs on MX listeners only; submission clients authenticate instead.</summary>
    public bool Applies(SmtpListener listener) => Options.Enabled && listener.Role == ListenerRole.Mx;

    /// <summary>TrustedNetworks and clients with an unexpired cached pass skip the greet delay and the lists.</summary>
    public async Task<bool> IsKnownGoodAsync(IPAddress client, CancellationToken cancellationToken)
    {
        if (RelayPolicy.IsTrusted(client, _trusted)) return true;
        if (_cache is null || Options.CacheTtl <= TimeSpan.Zero) return false;
        try
        {
            return await _cache.HasPassedAsync(client, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            LogCacheFailed(e.Message);
            return false;
        }
    }

    public async Task RecordPassAsync(IPAddress client, CancellationToken cancellationToken)
    {
        if (_cache is null || Options.CacheTtl <= TimeSpan.Zero) return;
        try
        {
            await _cache.RecordPassAsync(client, Options.CacheTtl, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            LogCacheFailed(e.Message);
        }
    }

    /// <summary>Queries every list at once; lists that do not answer within DnsblTimeout count as not listing the client.</summary>
    public async Task<DnsblResult> LookupAsync(IPAddress client, CancellationToken cancellationToken)
    {
        if (_sites.Count == 0 || _dns is null) return DnsblResult.None;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = _time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), timeout, Options.DnsblTimeout, Timeout.InfiniteTimeSpan);
        var lookups = new Task<bool?>[_sites.Count];
        for (int i = 0; i < _sites.Count; i++) lookups[i] = IsListedAsync(_sites[i], client, timeout.Token);
        await Task.WhenAll(lookups).ConfigureAwait(false);
        int score = 0, answered = 0, unanswered = 0;
        bool allowlisted = false;
        DnsblSite? top = null;
        for (int i = 0; i < _sites.Count; i++)
        {
            var listed = lookups[i].Result; // completed: awaited above
            if (listed is null) { unanswered++; continue; }
            answered++;
            if (listed != true) continue;
            score += _sites[i].Weight;
            allowlisted |= _sites[i].Weight < 0;
            if (_sites[i].Weight > 0 && (top is null || _sites[i].Weight > top.Weight)) top = _sites[i];
        }
        if (unanswered > 0) LogDnsblUnanswered(client, unanswered);
        return new DnsblResult(score, top?.Domain, answered, unanswered, allowlisted);
    }

    /// <summary>True when an allow list (a site of negative weight) lists the client; for sessions that skipped the lookups (known good).</summary>
    public async Task<bool> IsAllowlistedAsync(IPAddress client, CancellationToken cancellationToken)
    {
        if (_dns is null || !_sites.Any(s => s.Weight < 0)) return false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = _time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), timeout, Options.DnsblTimeout, Timeout.InfiniteTimeSpan);
        foreach (var site in _sites)
            if (site.Weight < 0 && await IsListedAsync(site, client, timeout.Token).ConfigureAwait(false) == true) return true;
        return false;
    }

    /// <summary>True listed, false not listed, null no answer (timeout, SERVFAIL).</summary>
    private async Task<bool?> IsListedAsync(DnsblSite site, IPAddress client, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await _dns!.QueryAsync(site.QueryName(client), RecordType.A, cancellationToken).ConfigureAwait(false);
            if (answer.Status is DnsAnswerStatus.NxDomain or DnsAnswerStatus.NoData) return false;
            if (answer.Status != DnsAnswerStatus.Success) return null;
            foreach (var a in answer.RecordsOf<ARecord>())
                if (site.Matches(a.Address)) return true;
            return false;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The first bytes a pregreeting client sent, escaped for the log (at most 64).</summary>
    public static string Escape(System.Buffers.ReadOnlySequence<byte> bytes)
    {
        var sb = new System.Text.StringBuilder(80);
        int n = 0;
        foreach (var segment in bytes)
            foreach (var b in segment.Span)
            {
                if (n++ == 64) return sb.Append("...").ToString();
                if (b == '\r') sb.Append("\\r");
                else if (b == '\n') sb.Append("\\n");
                else if (b == '\\') sb.Append("\\\\");
                else if (b is >= 0x20 and < 0x7F) sb.Append((char)b);
                else sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        return sb.ToString();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "screening cache unusable, treating clients as new: {Reason}")]
    private partial void LogCacheFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "DNSBL: {Count} list(s) did not answer for [{Client}]; counted as not listed")]
    private partial void LogDnsblUnanswered(IPAddress client, int count);
}
