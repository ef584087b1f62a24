namespace Postbote.Delivery.Dns;

/// <summary>Why a destination cannot be routed, with the RFC 3463 status a DSN will carry.</summary>
/// <param name="IsPermanent">True for a bounce (5.x.x), false to try again later (4.x.x).</param>
/// <param name="Status">E.g. "5.1.2" (NXDOMAIN), "5.1.10" (null MX), "5.4.6" (mail loop), "4.4.3" (DNS failure).</param>
/// <param name="Diagnostic">Text for the log and the DSN, e.g. "Domain example.net does not accept mail (null MX)".</param>
public sealed record RouteError(bool IsPermanent, string Status, string Diagnostic);
