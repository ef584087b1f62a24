using System.Net;

namespace Postbote.Smtpd;

/// <summary>One configured listener: a name for the log, an endpoint, a role, and whether TLS starts at once (port 465).</summary>
public sealed record SmtpListener(string Name, IPEndPoint Endpoint, ListenerRole Role, bool ImplicitTls)
{
    /// <summary>AUTH is offered on this listener (always on submission; on MX only if the administrator enables it).</summary>
    public bool OfferAuth { get; init; } = Role == ListenerRole.Submission;
}
