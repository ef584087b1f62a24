namespace Postbote.MailAuth.Dmarc;

/// <summary>
/// The outcome of policy discovery for one From: domain (RFC 7489 §6.6.3): the record and the domain it was found at,
/// or none found, or the error that stopped the search (a temporary DNS failure, an invalid name).
/// </summary>
public sealed record DmarcPolicyLookup(DmarcRecord? Record, string PolicyDomain, bool AtOrganizationalDomain, DmarcResult? Error, string Reason);
