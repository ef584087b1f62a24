using System.Net;
using Microsoft.Extensions.Logging;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// The content filters of a server (configuration "Milters", later "Rspamd"), shared by all sessions: each session
/// on a listener that has filters opens its own <see cref="FilterSession"/>. A server without filters has none of
/// this (SmtpServices.Filters is null) and its sessions pay nothing.
/// </summary>
public sealed class ContentFilters
{
    private readonly List<(MilterOptions Options, EndPoint Endpoint)> _milters = new();

    public ContentFilters(IEnumerable<MilterOptions> milters, long maxMessageBytes, ILoggerFactory loggers, RspamdOptions? rspamd = null)
    {
        foreach (var m in milters)
        {
            var endpoint = MilterAddress.Parse(m.Address, out var error) ?? throw new ArgumentException($"Milters: {m.Name}: {error}");
            _milters.Add((m, endpoint));
        }
        MaxMessageBytes = maxMessageBytes;
        Logger = loggers.CreateLogger("Postbote.Filters");
        if (rspamd is { Enabled: true }) Rspamd = new RspamdClient(rspamd, loggers.CreateLogger("Postbote.Rspamd"));
    }

    /// <summary>rspamd over HTTP, asked after the milters; null: not configured.</summary>
    public RspamdClient? Rspamd { get; }

    public ILogger Logger { get; }
    /// <summary>The largest body a filter may put in place of the stored one (Limits:MessageSizeBytes).</summary>
    public long MaxMessageBytes { get; }
    public bool Any => _milters.Count > 0 || Rspamd is not null;

    /// <summary>The filters of <paramref name="listener"/> for one session, in order; null when none applies.</summary>
    public FilterSession? Open(string listener, FilterFacts facts)
    {
        List<MilterLink>? links = null;
        foreach (var (options, endpoint) in _milters)
            if (options.AppliesTo(listener)) (links ??= new()).Add(new MilterLink(options, endpoint));
        bool rspamd = Rspamd?.Options.AppliesTo(listener) == true;
        if (links is null && !rspamd) return null;
        return new FilterSession(this, links ?? new(), facts) { AsksRspamd = rspamd };
    }
}

/// <summary>One filter within one session: its connection (once made) and how far it still takes part.</summary>
internal sealed class MilterLink(MilterOptions options, EndPoint endpoint)
{
    public MilterOptions Options { get; } = options;
    public EndPoint Endpoint { get; } = endpoint;
    public MilterClient? Client { get; set; }
    /// <summary>It failed: no more events; the DefaultAction answers for it.</summary>
    public bool Failed { get; set; }
    /// <summary>It accepted the connection: no more events in this session.</summary>
    public bool SessionAccepted { get; set; }
    /// <summary>It accepted the current message: no more events until the next one.</summary>
    public bool MessageAccepted { get; set; }
    /// <summary>It has been told of a MAIL FROM and not yet of the message's end or abort.</summary>
    public bool InMessage { get; set; }
    public bool Active => !Failed && !SessionAccepted && Client is not null;
    public string Name => Options.Name ?? "milter";
}
