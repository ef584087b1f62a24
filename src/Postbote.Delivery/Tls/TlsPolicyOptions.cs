namespace Postbote.Delivery.Tls;

/// <summary>One per-destination TLS policy (an entry of Delivery:Tls:Policies; a line of Postfix's smtp_tls_policy_maps).</summary>
public sealed class TlsPolicyOptions
{
    /// <summary>The recipient domain (<c>example.com</c>) or, with a leading dot, every subdomain of one (<c>.example.com</c>).</summary>
    public string? Destination { get; set; }

    /// <summary>none, may, encrypt, verify, dane or dane-only.</summary>
    public string? Level { get; set; }

    /// <summary>
    /// For verify: names one of which the certificate must carry. <c>hostname</c> (the MX host name, the default),
    /// <c>nexthop</c> (the recipient domain), <c>dot-nexthop</c> (any subdomain of it), a host name, or
    /// <c>.example.com</c> (any subdomain of example.com), as Postfix's match= attribute.
    /// </summary>
    public string[]? Match { get; set; }

    /// <summary>PEM trust anchors for this destination instead of Delivery:Tls:CAFile or the system store (a partner's private CA).</summary>
    public string? CAFile { get; set; }
}
