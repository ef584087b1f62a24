using System.Net;
using System.Net.Sockets;
using Postbote.Dns;

namespace Postbote.MailAuth.Spf;

/// <summary>
/// RFC 7208 check_host(): the SPF verdict for a client address, a sender and a domain, with the lookup limits of
/// §4.6.4 (DNS mechanisms and modifiers, void lookups, MX and PTR names) and a wall-clock budget. Every lookup goes
/// through the shared <see cref="DnsResolver"/> (and its cache).
/// </summary>
public sealed partial class SpfEvaluator
{
    /// <summary>Names of one MX or PTR answer looked at (RFC 7208 §4.6.4).</summary>
    private const int NameLookupLimit = 10;

    private readonly DnsResolver _dns;
    private readonly MailAuthOptions _options;
    private readonly string _receiver;
    private readonly TimeProvider _time;

    /// <summary>Creates an evaluator; <paramref name="receiver"/> is our host name (%{r} in explanations).</summary>
    public SpfEvaluator(DnsResolver dns, MailAuthOptions options, string receiver, TimeProvider? time = null)
    {
        _dns = dns ?? throw new ArgumentNullException(nameof(dns));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _receiver = string.IsNullOrEmpty(receiver) ? "unknown" : receiver;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Checks the MAIL FROM identity, or the HELO identity when the reverse-path is null (RFC 7208 §2.3, §2.4):
    /// <paramref name="mailFrom"/> is the address without brackets, empty or null for "&lt;&gt;".
    /// </summary>
    public Task<SpfCheck> CheckAsync(IPAddress client, string helo, string? mailFrom, CancellationToken cancellationToken)
    {
        helo ??= "";
        if (string.IsNullOrEmpty(mailFrom))
            return CheckHostAsync(client, helo, "postmaster@" + helo, helo, "helo", cancellationToken);
        var at = mailFrom.LastIndexOf('@');
        var domain = at < 0 ? mailFrom : mailFrom[(at + 1)..];
        var sender = at <= 0 ? "postmaster@" + domain : mailFrom;
        return CheckHostAsync(client, domain, sender, helo, "mailfrom", cancellationToken);
    }

    /// <summary>check_host(ip, domain, sender) of RFC 7208 §4, within the time budget.</summary>
    public async Task<SpfCheck> CheckHostAsync(IPAddress client, string domain, string sender, string helo, string identity,
        CancellationToken cancellationToken)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        domain = ToAscii(domain.TrimEnd('.'));
        using var budget = new CancellationTokenSource(_options.SpfTimeBudget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var evaluation = new Evaluation(client, sender, helo ?? "");
        try
        {
            var (result, explanation) = await CheckHostAsync(evaluation, domain, linked.Token).ConfigureAwait(false);
            return new SpfCheck(result, identity, domain, explanation);
        }
        catch (SpfAbort abort)
        {
            return new SpfCheck(abort.Result, identity, domain, abort.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SpfCheck(SpfResult.TempError, identity, domain, $"SPF evaluation of {domain} took longer than {_options.SpfTimeBudget.TotalSeconds:0} s");
        }
    }

    private async Task<(SpfResult Result, string Explanation)> CheckHostAsync(Evaluation e, string domain, CancellationToken ct)
    {
        if (!IsCheckableDomain(domain)) return (SpfResult.None, $"'{domain}' is not a valid domain name");
        var (answer, texts) = await _dns.QueryTxtAsync(domain, ct).ConfigureAwait(false);
        if (answer.Status == DnsAnswerStatus.TemporaryFailure)
            throw new SpfAbort(SpfResult.TempError, $"DNS error looking up the SPF record of {domain}");
        string? text = null;
        foreach (var t in texts)
        {
            if (!SpfRecord.IsSpfRecord(t)) continue;
            if (text is not null) throw new SpfAbort(SpfResult.PermError, $"{domain} publishes more than one SPF record");
            text = t;
        }
        if (text is null) return (SpfResult.None, $"{domain} publishes no SPF record");
        var record = SpfRecord.Parse(text, out var error)
            ?? throw new SpfAbort(SpfResult.PermError, $"SPF record of {domain}: {error}");

        var context = new SpfMacroContext(e.Sender, domain, e.Client, e.Helo, _receiver, _time.GetUtcNow().ToUnixTimeSeconds());
        foreach (var directive in record.Directives)
        {
            if (!await MatchesAsync(e, directive, context, ct).ConfigureAwait(false)) continue;
            var result = directive.Qualifier;
            return result == SpfResult.Fail
                ? (result, await ExplainAsync(record, context, ct).ConfigureAwait(false))
                : (result, Describe(result, domain, e.Client));
        }

        if (record.Redirect is { } redirect)
        {
            CountLookup(e);
            var target = await ExpandDomainAsync(redirect, context, ct).ConfigureAwait(false);
            var outcome = await CheckHostAsync(e, target, ct).ConfigureAwait(false);
            if (outcome.Result == SpfResult.None)
                throw new SpfAbort(SpfResult.PermError, $"redirect={target} of {domain}: {outcome.Explanation}");
            return outcome;
        }
        return (SpfResult.Neutral, Describe(SpfResult.Neutral, domain, e.Client));
    }

    private static string Describe(SpfResult result, string domain, IPAddress client) => result switch
    {
        SpfResult.Pass => $"{domain} designates {client} as permitted sender",
        SpfResult.SoftFail => $"{domain} does not designate {client} as permitted sender (softfail)",
        SpfResult.Neutral => $"{domain} neither permits nor denies {client}",
        _ => $"{domain} does not designate {client} as permitted sender",
    };

    // exp= (§6.2): any problem with it means the default explanation, never an error.
    private async Task<string> ExplainAsync(SpfRecord record, SpfMacroContext context, CancellationToken ct)
    {
        var fallback = Describe(SpfResult.Fail, context.Domain, context.Client);
        if (record.Explanation is not { } spec) return fallback;
        try
        {
            var target = await ExpandDomainAsync(spec, context, ct).ConfigureAwait(false);
            if (!IsCheckableDomain(target)) return fallback;
            var (answer, texts) = await _dns.QueryTxtAsync(target, ct).ConfigureAwait(false);
            if (answer.Status != DnsAnswerStatus.Success || texts.Count != 1) return fallback;
            var text = texts[0];
            foreach (var c in text) if (c > 0x7e) return fallback;
            if (SpfMacro.UsesValidatedName(text)) context = context with { ValidatedName = await ValidatedNameAsync(context, ct).ConfigureAwait(false) };
            return SpfMacro.TryExpand(text, context, explanation: true, out var expanded) ? expanded : fallback;
        }
        catch (SpfAbort)
        {
            return fallback;
        }
    }

    private void CountLookup(Evaluation e)
    {
        if (++e.Lookups > _options.SpfDnsLookupLimit)
            throw new SpfAbort(SpfResult.PermError, $"more than {_options.SpfDnsLookupLimit} DNS-querying mechanisms or modifiers (RFC 7208 4.6.4)");
    }

    private void CountVoid(Evaluation e, DnsAnswer answer)
    {
        if (answer.Status is DnsAnswerStatus.NxDomain or DnsAnswerStatus.NoData && ++e.Voids > _options.SpfVoidLookupLimit)
            throw new SpfAbort(SpfResult.PermError, $"more than {_options.SpfVoidLookupLimit} void DNS lookups (RFC 7208 4.6.4)");
    }

    private static void ThrowIfTemporary(DnsAnswer answer, string what)
    {
        if (answer.Status == DnsAnswerStatus.TemporaryFailure)
            throw new SpfAbort(SpfResult.TempError, $"DNS error looking up {what}");
    }

    private async Task<string> ExpandDomainAsync(string spec, SpfMacroContext context, CancellationToken ct)
    {
        if (SpfMacro.UsesValidatedName(spec)) context = context with { ValidatedName = await ValidatedNameAsync(context, ct).ConfigureAwait(false) };
        if (!SpfMacro.TryExpandDomain(spec, context, out var domain))
            throw new SpfAbort(SpfResult.PermError, $"bad macro in '{spec}'");
        return domain.TrimEnd('.');
    }

    // An SMTPUTF8 sender's U-label domain is looked up as its A-label (RFC 8616 §4); the sender itself stays as given.
    private static string ToAscii(string domain)
    {
        foreach (var c in domain)
        {
            if (c <= 0x7f) continue;
            try { return new System.Globalization.IdnMapping().GetAscii(domain); }
            catch (ArgumentException) { return domain; }
        }
        return domain;
    }

    /// <summary>A domain check_host() can look up (§4.3): at most 253 characters, 2 or more labels of 1 to 63.</summary>
    internal static bool IsCheckableDomain(string domain)
    {
        domain = domain.TrimEnd('.');
        if (domain.Length is 0 or > 253) return false;
        var labels = 0;
        foreach (var label in domain.Split('.'))
        {
            if (label.Length is 0 or > 63) return false;
            labels++;
        }
        return labels >= 2;
    }

    /// <summary>True when <paramref name="address"/> is in <paramref name="network"/>/<paramref name="length"/> (same family only).</summary>
    internal static bool InNetwork(IPAddress address, IPAddress network, int length)
    {
        if (address.AddressFamily != network.AddressFamily) return false;
        Span<byte> a = stackalloc byte[16], n = stackalloc byte[16];
        address.TryWriteBytes(a, out var size);
        network.TryWriteBytes(n, out _);
        var full = length / 8;
        if (!a[..full].SequenceEqual(n[..full])) return false;
        var rest = length % 8;
        if (rest == 0 || full >= size) return true;
        var mask = (byte)(0xff << (8 - rest));
        return (a[full] & mask) == (n[full] & mask);
    }

    private sealed class Evaluation(IPAddress client, string sender, string helo)
    {
        public IPAddress Client { get; } = client;
        public string Sender { get; } = sender;
        public string Helo { get; } = helo;
        public bool IsIpv6 => Client.AddressFamily == AddressFamily.InterNetworkV6;
        public int Lookups { get; set; }
        public int Voids { get; set; }
    }

    private sealed class SpfAbort(SpfResult result, string message) : Exception(message)
    {
        public SpfResult Result { get; } = result;
    }
}
