using System.Net;

namespace Postbote.Smtpd;

/// <summary>The settings the SMTP sessions share, resolved and validated by the host at start.</summary>
public sealed class SmtpServerOptions
{
    public required string Hostname { get; init; }
    /// <summary>This node's name (NodeName; the Hostname by default), recorded in each envelope it accepts.</summary>
    public string? NodeName { get; init; }
    /// <summary>Local domains in lower-case A-label form.</summary>
    public required IReadOnlySet<string> LocalDomains { get; init; }
    public SmtpdLimits Limits { get; init; } = new();
    /// <summary>Clients that may relay without AUTH (Postfix mynetworks); empty by default.</summary>
    public IReadOnlyList<IPNetwork> TrustedNetworks { get; init; } = Array.Empty<IPNetwork>();
    /// <summary>Offer AUTH without TLS (never by default: RFC 4954 §4 and RFC 8314).</summary>
    public bool AllowCleartextAuth { get; init; }
    /// <summary>Also send the pre-RFC "AUTH=PLAIN LOGIN" EHLO line for old Outlook clients.</summary>
    public bool LegacyAuthLine { get; init; }
    /// <summary>Put the authenticated user name into the Received: header.</summary>
    public bool AuthenticatedUserInReceived { get; init; }
    /// <summary>On submission, also require the header From: to be owned by the authenticated user.</summary>
    public bool CheckFromHeader { get; init; } = true;
    /// <summary>Accept ETRN from these clients (RFC 1985); trusted networks by default.</summary>
    public bool EtrnFromTrustedOnly { get; init; } = true;

    public bool IsLocalDomain(string asciiDomain) => LocalDomains.Contains(asciiDomain.ToLowerInvariant());
}
