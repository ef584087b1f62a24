using Microsoft.Extensions.Logging;
using Postbote.Core.Addressing;
using Postbote.Core.Smtp;
using Postbote.MailAuth.Spf;
using Postbote.Smtpd.Greylisting;

namespace Postbote.Smtpd;

/// <summary>
/// The session's side of greylisting, checked at RCPT as postgrey is (Postfix calls it from
/// smtpd_recipient_restrictions): per recipient, after the relay and recipient checks, so an unknown user still gets
/// its 550 and a relay attempt its 554, and before DATA, so a spam engine that never retries is turned away without
/// sending its message. Exempt: MX listeners only; authenticated and TrustedNetworks clients, clients an allow list
/// (a DNSWL site of Screening) lists, auto-whitelisted networks (Greylist decides, once per session), and SPF-pass
/// senders from domains that passed before.
/// </summary>
public sealed partial class SmtpSession
{
    /// <summary>The screening result of this session (null: screening did not look the client up).</summary>
    private Screening.DnsblResult? _dnsbl;
    /// <summary>Decided at the first greylisted RCPT: true when nothing of this session is greylisted.</summary>
    private bool? _greylistExempt;
    /// <summary>A 4xx reply that is not the client's error (greylisting): not counted toward the error limits.</summary>
    private SmtpReply? _notAnError;

    /// <summary>The 450 4.7.1 for <paramref name="recipient"/> when it is greylisted, else null.</summary>
    private async ValueTask<SmtpReply?> GreylistAsync(Greylist greylist, Mailbox recipient)
    {
        if (_listener.Role != ListenerRole.Mx || _authUser is not null) return null;
        _greylistExempt ??= await IsGreylistExemptAsync().ConfigureAwait(false);
        if (_greylistExempt == true) return null;
        var spf = _tx!.Spf;
        string? spfPassDomain = spf is { Result: SpfResult.Pass, Identity: "mailfrom" } ? spf.Domain : null;
        var verdict = greylist.Check(ClientAddress, _tx.Mail.ReversePathText, recipient.ToString(), spfPassDomain);
        if (verdict.Decision == GreylistDecision.Whitelisted) _greylistExempt = true;
        if (!verdict.Deferred) return null;
        return _notAnError = Greylist.DeferReply(recipient.ToString(), verdict.RetryAfterSeconds);
    }

    private async ValueTask<bool> IsGreylistExemptAsync()
    {
        if (RelayPolicy.IsTrusted(ClientAddress, _options.TrustedNetworks)) return true;
        bool allowlisted = _dnsbl?.Allowlisted ?? (_services.Screen is { } screen && screen.Applies(_listener)
            && await screen.IsAllowlistedAsync(ClientAddress, _stopping).ConfigureAwait(false));
        if (allowlisted) LogGreylistAllowlisted(ClientAddress);
        return allowlisted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "greylist: skip [{Client}]: listed by an allow list (Screening:DnsblSites)")]
    private partial void LogGreylistAllowlisted(System.Net.IPAddress client);
}
