using System.ComponentModel;
using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Configuration;
using Postbote.Dns;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>
/// Settings of the commands that ask DNS (`auth spf`, `dns route`, `dns check`): `--dns HOST:PORT` to ask another
/// server than Dns:Servers, and the one place their resolver is built.
/// </summary>
public class DnsQuerySettings : ConfigSettings
{
    [CommandOption("--dns <HOST:PORT>")]
    [Description("DNS server to ask instead of Dns:Servers, e.g. 127.0.0.1:5353.")]
    public string? Dns { get; set; }

    /// <summary>The --dns server, checked before the configuration is loaded; false (and why) when it is not ip or ip:port.</summary>
    public bool TryDnsServer(out System.Net.IPEndPoint? server, out string error)
    {
        server = null;
        error = "";
        if (Dns is null) return true;
        try { server = DnsResolver.ParseServer(Dns); }
        catch (FormatException) { error = $"--dns '{Dns}' is not an ip or ip:port"; return false; }
        return true;
    }

    /// <summary>A resolver without cache (each command asks once, and should see the records as they are now) on --dns or Dns:Servers.</summary>
    public static DnsResolver CreateResolver(ResolvedConfiguration config, System.Net.IPEndPoint? server) => new(new Postbote.Dns.DnsOptions
    {
        Servers = server is null ? (config.Options.Dns.Servers ?? Array.Empty<string>()).ToList() : new List<string> { server.ToString() },
        QueryTimeout = config.Options.Dns.Timeout,
        CacheMaxEntries = 0,
    }, NullLogger.Instance);
}
