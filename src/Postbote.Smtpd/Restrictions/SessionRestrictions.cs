using System.Net;
using Microsoft.Extensions.Logging;
using Postbote.Core.Addressing;
using Postbote.Core.Smtp;
using Postbote.Dns;

namespace Postbote.Smtpd.Restrictions;

/// <summary>
/// The checks behind <see cref="RestrictionOptions"/>, with Postfix's reply codes and texts (its defaults:
/// invalid_hostname_reject_code 501, non_fqdn_reject_code 504, unknown_address_reject_code 450,
/// unknown_client_reject_code 450). DNS through the shared resolver; a lookup that fails temporarily never turns
/// into a permanent refusal.
/// </summary>
public sealed partial class SessionRestrictions
{
    private readonly DnsResolver? _dns;
    private readonly ILogger _log;

    public SessionRestrictions(RestrictionOptions options, DnsResolver? dns, ILogger log)
    {
        Options = options;
        _dns = dns;
        _log = log;
    }

    public RestrictionOptions Options { get; }

    /// <summary>The refusal for the client address (PTR, FCrDNS), or null.</summary>
    public async Task<SmtpReply?> CheckClientAsync(IPAddress client, CancellationToken cancellationToken)
    {
        if (_dns is null || !(Options.RejectUnknownReverseClientHostname || Options.RejectUnknownClientHostname)) return null;
        var (answer, names) = await _dns.QueryPtrAsync(client, cancellationToken).ConfigureAwait(false);
        if (names.Count == 0)
            return Refuse(client, "client", new SmtpReply(450, "4.7.1", $"Client host rejected: cannot find your reverse hostname, [{client}]"), answer.Status);
        if (!Options.RejectUnknownClientHostname) return null;
        bool temporary = answer.Status == DnsAnswerStatus.TemporaryFailure;
        foreach (var name in names.Take(10)) // Postfix, too, looks at a bounded number of PTR names
        {
            var (forward, addresses) = await _dns.QueryAddressesAsync(name, client.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6, cancellationToken).ConfigureAwait(false);
            if (addresses.Contains(client)) return null;
            temporary |= forward.Status == DnsAnswerStatus.TemporaryFailure;
        }
        return Refuse(client, "client", new SmtpReply(450, "4.7.1", $"Client host rejected: cannot find your hostname, [{client}]"),
            temporary ? DnsAnswerStatus.TemporaryFailure : DnsAnswerStatus.NoData);
    }

    /// <summary>The refusal for the HELO/EHLO name, or null (pure).</summary>
    public SmtpReply? CheckHelo(IPAddress client, string helo)
    {
        bool literal = helo.StartsWith('[') && helo.EndsWith(']');
        if (literal)
        {
            var inner = helo[1..^1];
            if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase)) inner = inner[5..];
            if (!IPAddress.TryParse(inner, out _) && Options.RejectInvalidHeloHostname)
                return Refuse(client, "helo", new SmtpReply(501, "5.5.2", $"<{helo}>: Helo command rejected: Invalid name"), null);
            return null;
        }
        var name = helo.TrimEnd('.');
        if (Options.RejectInvalidHeloHostname && !IsHostname(name))
            return Refuse(client, "helo", new SmtpReply(501, "5.5.2", $"<{helo}>: Helo command rejected: Invalid name"), null);
        if (Options.RejectNonFqdnHeloHostname && !name.Contains('.'))
            return Refuse(client, "helo", new SmtpReply(504, "5.5.2", $"<{helo}>: Helo command rejected: need fully-qualified hostname"), null);
        return null;
    }

    /// <summary>The refusal for the MAIL FROM address, or null; the null sender always passes.</summary>
    public async Task<SmtpReply?> CheckSenderAsync(IPAddress client, Mailbox? sender, CancellationToken cancellationToken)
    {
        if (sender is null || sender.IsAddressLiteral) return null;
        var text = sender.ToString();
        if (Options.RejectNonFqdnSender && !sender.AsciiDomain.TrimEnd('.').Contains('.'))
            return Refuse(client, "sender", new SmtpReply(504, "5.5.2", $"<{text}>: Sender address rejected: need fully-qualified address"), null);
        if (!Options.RejectUnknownSenderDomain || _dns is null) return null;
        var domain = sender.AsciiDomain;
        var (mx, exchanges) = await _dns.QueryMxNamesAsync(domain, cancellationToken).ConfigureAwait(false);
        if (mx.Status == DnsAnswerStatus.NxDomain)
            return Refuse(client, "sender", new SmtpReply(550, "5.1.8", $"<{text}>: Sender address rejected: Domain not found"), mx.Status);
        if (exchanges.Count == 1 && exchanges[0].Length == 0) // "MX 0 ." (RFC 7505 §4.2)
            return Refuse(client, "sender", new SmtpReply(550, "5.7.27", $"<{text}>: Sender address rejected: Domain does not accept mail"), mx.Status);
        if (exchanges.Count > 0) return null;
        var status = mx.Status;
        foreach (bool ipv6 in new[] { false, true })
        {
            var (a, addresses) = await _dns.QueryAddressesAsync(domain, ipv6, cancellationToken).ConfigureAwait(false);
            if (addresses.Count > 0) return null;
            if (a.Status == DnsAnswerStatus.TemporaryFailure) status = a.Status;
        }
        return Refuse(client, "sender", new SmtpReply(450, "4.1.8", $"<{text}>: Sender address rejected: Domain not found"), status);
    }

    /// <summary>Letters, digits and hyphens in dot-separated labels of at most 63 octets, 253 in all (RFC 1123 §2.1).</summary>
    public static bool IsHostname(string name)
    {
        if (name.Length is 0 or > 253) return false;
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            foreach (var c in label)
                if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_') return false;
        }
        return true;
    }

    private SmtpReply Refuse(IPAddress client, string what, SmtpReply reply, DnsAnswerStatus? dns)
    {
        LogRestricted(client, what, reply.ToString(), dns?.ToString() ?? "-");
        return reply;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "reject: RCPT from [{Client}]: {Reply}; restriction={What} dns={Dns}")]
    private partial void LogRestricted(IPAddress client, string what, string reply, string dns);
}
