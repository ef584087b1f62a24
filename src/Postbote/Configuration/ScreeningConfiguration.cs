using System.Net;
using Microsoft.Extensions.Logging;
using Postbote.Smtpd.Proxy;
using Postbote.Smtpd.Screening;

namespace Postbote.Configuration;

/// <summary>Checks and resolves the settings for the open Internet: listener PROXY protocol, RateLimits, Screening.</summary>
public static class ScreeningConfiguration
{
    /// <summary>A CIDR range or a single address; null when neither.</summary>
    public static IPNetwork? ParseNetwork(string text)
    {
        text = text.Trim();
        if (IPNetwork.TryParse(text, out var net)) return net;
        if (IPAddress.TryParse(text, out var single))
            return new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        return null;
    }

    public static ProxyProtocolSettings? ProxyProtocol(ListenerOptions l, string key, List<string> problems)
    {
        if (!l.ProxyProtocol)
        {
            if (l.ProxyProtocolFrom is { Length: > 0 }) problems.Add($"{key}:ProxyProtocolFrom is given but {key}:ProxyProtocol is false");
            return null;
        }
        var allowed = new List<IPNetwork>();
        foreach (var cidr in l.ProxyProtocolFrom ?? Array.Empty<string>())
        {
            if (ParseNetwork(cidr) is { } net) allowed.Add(net);
            else problems.Add($"{key}:ProxyProtocolFrom: '{cidr}' is not a CIDR range such as 10.0.0.0/8");
        }
        if (l.ProxyProtocolFrom is not { Length: > 0 }) problems.Add($"{key}:ProxyProtocolFrom must name the proxies' addresses when {key}:ProxyProtocol is true");
        if (l.ProxyProtocolTimeout <= TimeSpan.Zero) problems.Add($"{key}:ProxyProtocolTimeout must be positive");
        return new ProxyProtocolSettings { AllowedProxies = allowed, Timeout = l.ProxyProtocolTimeout };
    }

    /// <summary>
    /// The screen for the sessions when Screening:Enabled (validated before), its cache opened in the data directory;
    /// DNS lists are asked through the process's one resolver and its TTL cache, as delivery and SPF are.
    /// </summary>
    public static Screen? BuildScreen(ResolvedConfiguration config, Func<Postbote.Dns.DnsResolver> dns, TimeProvider time, ILoggerFactory loggers)
    {
        var o = config.Options;
        if (!o.Screening.Enabled) return null;
        var sites = new List<DnsblSite>();
        foreach (var entry in o.Screening.DnsblSites ?? Array.Empty<string>())
            if (DnsblSiteParser.TryParse(entry, out var site, out _)) sites.Add(site!);
        var cache = ScreeningCache.Open(Path.Combine(config.DataDirectory, o.Screening.CacheFile), o.Screening.CacheMaxEntries, time);
        return new Screen(o.Screening, sites, sites.Count == 0 ? null : dns(), cache, config.Server.TrustedNetworks, time, loggers.CreateLogger("Postbote.Screen"));
    }

    /// <summary>Greylisting when Greylisting:Enabled, its state opened in the data directory (a file that cannot open stops the start).</summary>
    public static Postbote.Smtpd.Greylisting.Greylist? BuildGreylist(ResolvedConfiguration config, TimeProvider time, ILoggerFactory loggers)
    {
        var o = config.Options.Greylisting;
        if (!o.Enabled) return null;
        var store = Postbote.Smtpd.Greylisting.GreylistStore.Open(Path.Combine(config.DataDirectory, o.DatabaseFile), o, time);
        return new Postbote.Smtpd.Greylisting.Greylist(o, store, time, loggers.CreateLogger("Postbote.Greylist"));
    }

    /// <summary>The restrictions when any is enabled; DNS through the shared resolver only when one needs it.</summary>
    public static Postbote.Smtpd.Restrictions.SessionRestrictions? BuildRestrictions(ResolvedConfiguration config, Func<Postbote.Dns.DnsResolver> dns, ILoggerFactory loggers)
    {
        var o = config.Options.Restrictions;
        if (!o.AnyEnabled) return null;
        return new Postbote.Smtpd.Restrictions.SessionRestrictions(o, o.NeedsDns ? dns() : null, loggers.CreateLogger("Postbote.Restrictions"));
    }

    public static void Validate(PostboteOptions o, List<string> problems)
    {
        problems.AddRange(o.RateLimits.Validate());
        problems.AddRange(o.Screening.Validate());
        problems.AddRange(o.Greylisting.Validate());
    }
}
