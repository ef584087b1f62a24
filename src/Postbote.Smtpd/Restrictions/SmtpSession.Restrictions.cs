using Postbote.Core.Smtp;
using Postbote.Smtpd.Restrictions;

namespace Postbote.Smtpd;

/// <summary>
/// The session's side of the optional restrictions: at each RCPT on MX listeners, for clients neither authenticated
/// nor trusted, first the client (once per session), then the HELO name (once per name), then the sender (once per
/// transaction), as Postfix evaluates smtpd_client/helo/sender_restrictions at RCPT with smtpd_delay_reject = yes.
/// </summary>
public sealed partial class SmtpSession
{
    private bool _clientRestricted;
    private SmtpReply? _clientRefusal;
    private string? _heloChecked;
    private SmtpReply? _heloRefusal;

    private async ValueTask<SmtpReply?> RestrictAsync(SessionRestrictions restrictions)
    {
        if (_listener.Role != ListenerRole.Mx || _authUser is not null || RelayPolicy.IsTrusted(ClientAddress, _options.TrustedNetworks)) return null;
        if (!_clientRestricted)
        {
            _clientRefusal = await restrictions.CheckClientAsync(ClientAddress, _stopping).ConfigureAwait(false);
            _clientRestricted = true;
        }
        if (_clientRefusal is not null) return _clientRefusal;
        if (!ReferenceEquals(_heloChecked, _helo))
        {
            _heloRefusal = _helo is null ? null : restrictions.CheckHelo(ClientAddress, _helo);
            _heloChecked = _helo;
        }
        if (_heloRefusal is not null) return _heloRefusal;
        if (!_tx!.SenderRestricted)
        {
            _tx.SenderRefusal = await restrictions.CheckSenderAsync(ClientAddress, _tx.Mail.ReversePath, _stopping).ConfigureAwait(false);
            _tx.SenderRestricted = true;
        }
        return _tx.SenderRefusal;
    }
}
