using System.Net;

namespace Postbote.Smtpd.Proxy;

/// <summary>
/// A decoded PROXY protocol header (HAProxy's proxy-protocol.txt): the client's address as the proxy saw it, or
/// none for "PROXY UNKNOWN" and v2 LOCAL (health checks), where the connection's own address stands.
/// </summary>
/// <param name="Source">The original client's address and port; null when the proxy gave none.</param>
/// <param name="Length">Bytes the header took on the wire, to consume before SMTP starts.</param>
/// <param name="Version">1 (text) or 2 (binary).</param>
public sealed record ProxyHeader(IPEndPoint? Source, int Length, int Version);
