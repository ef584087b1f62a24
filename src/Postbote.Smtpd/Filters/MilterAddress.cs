using System.Net;
using System.Net.Sockets;

namespace Postbote.Smtpd.Filters;

/// <summary>A filter's socket address in Postfix's notation: unix:/path (or local:/path), inet:host:port, inet6:host:port.</summary>
public static class MilterAddress
{
    /// <summary>The endpoint, or null with <paramref name="error"/> saying what is wrong. A host name stays a DnsEndPoint.</summary>
    public static EndPoint? Parse(string? address, out string error)
    {
        error = "";
        if (string.IsNullOrWhiteSpace(address))
        {
            error = "must be given, e.g. unix:/run/milter.sock or inet:127.0.0.1:8891";
            return null;
        }
        int colon = address.IndexOf(':');
        var scheme = colon < 0 ? "" : address[..colon].ToLowerInvariant();
        var rest = colon < 0 ? address : address[(colon + 1)..];
        if (scheme is "unix" or "local")
        {
            if (rest.Length == 0 || rest[0] != '/') { error = $"'{address}': a unix socket needs an absolute path"; return null; }
            return new UnixDomainSocketEndPoint(rest);
        }
        if (scheme is not ("inet" or "inet6"))
        {
            error = $"'{address}' must start with unix:, inet: or inet6:";
            return null;
        }
        int portColon = rest.LastIndexOf(':');
        if (portColon <= 0 || !ushort.TryParse(rest[(portColon + 1)..], out var port) || port == 0)
        {
            error = $"'{address}' needs host:port with a port from 1 to 65535";
            return null;
        }
        var host = rest[..portColon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        if (!Core.Addressing.MailboxParser.IsDomain(host, allowUtf8: false)) { error = $"'{address}': '{host}' is not a host name or address"; return null; }
        return new DnsEndPoint(host, port);
    }
}
