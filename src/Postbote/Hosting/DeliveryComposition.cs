using Postbote.Dns;
using Microsoft.Extensions.Logging;
using Postbote.Configuration;
using Postbote.Core.Delivery;
using Postbote.Delivery;
using Postbote.Delivery.Dns;
using Postbote.Delivery.Maildir;
using Postbote.Delivery.Smtp;
using Postbote.Directory;

namespace Postbote.Hosting;

/// <summary>Builds the delivery side from the configuration: DNS, the SMTP client agent, local delivery, the router.</summary>
public static class DeliveryComposition
{
    /// <summary>The one resolver (and cache) of the process, shared by delivery and the accept side (SPF).</summary>
    public static DnsResolver BuildDns(ResolvedConfiguration config, TimeProvider time, ILoggerFactory loggers, System.Diagnostics.Metrics.IMeterFactory? meters = null)
    {
        var o = config.Options;
        return new DnsResolver(new Postbote.Dns.DnsOptions
        {
            Servers = (o.Dns.Servers ?? Array.Empty<string>()).ToList(),
            QueryTimeout = o.Dns.Timeout,
            CacheMaxEntries = o.Dns.CacheMaxEntries,
            CacheMaxTtl = o.Dns.CacheMaxTtl,
            NegativeCacheMaxTtl = o.Dns.NegativeCacheMaxTtl,
        }, loggers.CreateLogger("Postbote.Dns"), time) { Metrics = new Postbote.Dns.DnsMetrics(meters) };
    }

    public static DeliveryServices Build(ResolvedConfiguration config, IMailDirectory directory,
        TimeProvider time, ILoggerFactory loggers, DnsResolver? sharedDns = null, System.Diagnostics.Metrics.IMeterFactory? meters = null)
    {
        var o = config.Options;
        var dns = sharedDns ?? BuildDns(config, time, loggers, meters);
        var mx = new MxResolver(dns, new MxResolverOptions
        {
            LocalHostnames = new HashSet<string>(new[] { config.Server.Hostname }, StringComparer.OrdinalIgnoreCase),
            LocalAddresses = OwnMxAddresses(config),
        }, logger: loggers.CreateLogger("Postbote.Dns"));

        // Timeouts and limits from Delivery:Client; the name and the TLS policy from their own settings.
        var client = o.Delivery.Client.Clone();
        client.HeloName = config.Server.Hostname;
        client.Lmtp = false;
        Postbote.Delivery.Smtp.RelayhostOptions? relay = null;
        if (o.Relayhost is { Host: { Length: > 0 } host } r)
        {
            relay = new Postbote.Delivery.Smtp.RelayhostOptions
            {
                Host = host,
                Port = r.Port,
                Tls = Enum.Parse<RelayTlsMode>(r.Tls),
                VerifyCertificate = r.VerifyCertificate,
                User = r.User,
                Password = r.PasswordFile is null ? null : File.ReadAllText(r.PasswordFile).TrimEnd('\r', '\n'),
            };
        }
        var learned = o.Delivery.Tls.LearnLevels
            ? Postbote.Delivery.Tls.LearnedTlsLevels.Open(Path.Combine(config.DataDirectory, Postbote.Delivery.Tls.LearnedTlsLevels.FileName),
                o.Delivery.Tls.LearnedLevelsMaxEntries, time)
            : null;
        var smtp = new SmtpDeliveryAgent(new SmtpDeliveryOptions { Port = o.Delivery.Port, Client = client, Relayhost = relay,
                TlsPolicies = Postbote.Delivery.Tls.TlsPolicyTable.Build(o.Delivery.Tls),
                LearnedTlsLevels = learned }, mx,
            timeProvider: time, logger: loggers.CreateLogger("Postbote.Smtp"))
        {
            ConnectionCache = new SmtpConnectionCache(time),
            Metrics = new Postbote.Delivery.DeliveryMetrics(meters),
        };

        var maildir = new MaildirDeliveryAgent(new MaildirOptions
        {
            DataDirectory = config.DataDirectory,
            PathTemplate = o.LocalDelivery.MaildirPath,
            Hostname = config.Server.Hostname,
            QuotaBytes = o.LocalDelivery.QuotaBytes,
            QuotaExceededIsPermanent = o.LocalDelivery.QuotaExceededIsPermanent,
        }, async (address, ct) => (await directory.FindUserAsync(address, ct).ConfigureAwait(false))?.QuotaBytes, time, loggers.CreateLogger("Postbote.Maildir"));

        IDeliveryAgent? lmtp = null;
        var lmtpDomains = new HashSet<string>(o.LocalDelivery.LmtpDomains ?? Array.Empty<string>(), StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(o.LocalDelivery.Lmtp))
        {
            var lmtpClient = client.Clone();
            (lmtpClient.Lmtp, lmtpClient.Tls, lmtpClient.ImplicitTls) = (true, TlsPolicy.None, false);
            lmtp = new LmtpDeliveryAgent(new LmtpDeliveryOptions { Endpoint = o.LocalDelivery.Lmtp, HostName = config.Server.Hostname,
                Client = lmtpClient },
                timeProvider: time, logger: loggers.CreateLogger("Postbote.Lmtp"));
            if (lmtpDomains.Count == 0) lmtpDomains.Add("*");
        }
        var local = new LocalDeliveryAgent(maildir, lmtp, d => lmtpDomains.Contains("*") || lmtpDomains.Contains(d));

        var router = new DeliveryRouter(
            async (domain, ct) => config.Server.IsLocalDomain(domain) || await directory.IsLocalDomainAsync(domain, ct).ConfigureAwait(false),
            local, smtp, relay is null ? null : (relay.Host, relay.Port));
        return new DeliveryServices(router, mx, maildir) { LearnedTlsLevels = learned };
    }

    /// <summary>
    /// The addresses at which an MX would be this server: those of listeners on the port we deliver to (an MX
    /// at our address but on another port is another server), all interface addresses for a wildcard listener.
    /// </summary>
    private static HashSet<System.Net.IPAddress> OwnMxAddresses(ResolvedConfiguration config)
    {
        var own = new HashSet<System.Net.IPAddress>();
        foreach (var l in config.Listeners.Where(l => l.Endpoint.Port == config.Options.Delivery.Port))
        {
            var a = l.Endpoint.Address;
            if (a.Equals(System.Net.IPAddress.Any) || a.Equals(System.Net.IPAddress.IPv6Any))
            {
                foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
                    foreach (var u in nic.GetIPProperties().UnicastAddresses) own.Add(u.Address);
            }
            else own.Add(a);
        }
        return own;
    }
}

/// <summary>The delivery parts other components use: the router (queue manager), MX lookup (`dns route`), Maildir (Sent copies).</summary>
public sealed record DeliveryServices(IDeliveryRouter Router, MxResolver Mx, MaildirDeliveryAgent Maildir)
{
    /// <summary>The learned TLS levels (Delivery:Tls:LearnLevels), or null when off.</summary>
    public Postbote.Delivery.Tls.LearnedTlsLevels? LearnedTlsLevels { get; init; }
}
