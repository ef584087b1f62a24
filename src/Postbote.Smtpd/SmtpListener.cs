using System.Net;
using Postbote.Smtpd.Proxy;

namespace Postbote.Smtpd;

/// <summary>One configured listener: a name for the log, an endpoint, a role, and whether TLS starts at once (port 465).</summary>
public sealed record SmtpListener(string Name, IPEndPoint Endpoint, ListenerRole Role, bool ImplicitTls)
{
    /// <summary>AUTH is offered on this listener (always on submission; on MX only if the administrator enables it).</summary>
    public bool OfferAuth { get; init; } = Role == ListenerRole.Submission;

    /// <summary>Connections start with a PROXY protocol header from one of these proxies (null: off).</summary>
    public ProxyProtocolSettings? ProxyProtocol { get; init; }
}
