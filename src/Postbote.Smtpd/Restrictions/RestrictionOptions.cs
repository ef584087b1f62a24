namespace Postbote.Smtpd.Restrictions;

/// <summary>
/// Optional restrictions on MX clients that are neither authenticated nor trusted (configuration section
/// "Restrictions"), Postfix's smtpd_helo/sender/client restrictions of the same names. All off by default, as
/// Postfix ships them off. Evaluated at each RCPT, before the recipient checks, as Postfix does with
/// smtpd_delay_reject = yes; each result is computed once per session (client, HELO) or transaction (sender).
/// </summary>
public sealed class RestrictionOptions
{
    /// <summary>HELO/EHLO name neither a hostname nor an address literal: 501 5.5.2. Postfix reject_invalid_helo_hostname.</summary>
    public bool RejectInvalidHeloHostname { get; set; }
    /// <summary>HELO/EHLO name without a dot (and not an address literal): 504 5.5.2. Postfix reject_non_fqdn_helo_hostname.</summary>
    public bool RejectNonFqdnHeloHostname { get; set; }
    /// <summary>MAIL FROM domain without a dot: 504 5.5.2. Postfix reject_non_fqdn_sender.</summary>
    public bool RejectNonFqdnSender { get; set; }
    /// <summary>
    /// MAIL FROM domain with no MX and no A/AAAA record: 450 4.1.8 (550 5.1.8 when the domain does not exist at all,
    /// 550 5.7.27 for a null MX, RFC 7505; always 450 when DNS fails). Postfix reject_unknown_sender_domain.
    /// </summary>
    public bool RejectUnknownSenderDomain { get; set; }
    /// <summary>Client address without a PTR record: 450 4.7.1. Postfix reject_unknown_reverse_client_hostname.</summary>
    public bool RejectUnknownReverseClientHostname { get; set; }
    /// <summary>Client whose PTR name does not resolve back to its address (FCrDNS): 450 4.7.1. Postfix reject_unknown_client_hostname.</summary>
    public bool RejectUnknownClientHostname { get; set; }

    public bool AnyEnabled => RejectInvalidHeloHostname || RejectNonFqdnHeloHostname || RejectNonFqdnSender
        || RejectUnknownSenderDomain || RejectUnknownReverseClientHostname || RejectUnknownClientHostname;

    /// <summary>Restrictions that ask DNS.</summary>
    public bool NeedsDns => RejectUnknownSenderDomain || RejectUnknownReverseClientHostname || RejectUnknownClientHostname;
}
