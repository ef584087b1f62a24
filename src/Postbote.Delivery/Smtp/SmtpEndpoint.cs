using System.Net;
using System.Net.Sockets;

namespace Postbote.Delivery.Smtp;

/// <summary>Where an SMTP/LMTP client connects: a host name (for logs, SNI, verification) and a socket endpoint.</summary>
/// <param name="HostName">The MX or relay host name, e.g. "mx1.example.net".</param>
/// <param name="EndPoint">An <see cref="IPEndPoint"/> or a <see cref="UnixDomainSocketEndPoint"/> (LMTP).</param>
public sealed record SmtpEndpoint(string HostName, EndPoint EndPoint)
{
    /// <summary>An endpoint for a host address and port.</summary>
    public SmtpEndpoint(string hostName, IPAddress address, int port) : this(hostName, new IPEndPoint(address, port)) { }

    /// <summary>The remote MTA for results and the mail log, "host[ip]:port" or "host[unix-path]".</summary>
    public string RemoteMta => EndPoint switch
    {
        IPEndPoint ip => $"{HostName}[{ip.Address}]:{ip.Port}",
        _ => $"{HostName}[{EndPoint}]",
    };

    /// <inheritdoc/>
    public override string ToString() => RemoteMta;
}
