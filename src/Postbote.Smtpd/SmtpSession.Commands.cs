using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd;

public sealed partial class SmtpSession
{
    private string? _helo;
    private bool _esmtp;
    private string? _authUser;
    private SmtpTransaction? _tx;

    private async ValueTask<Next> DispatchAsync(SmtpVerb verb, string argument)
    {
        SmtpReply reply;
        switch (verb)
        {
            case SmtpVerb.Ehlo: reply = await EhloAsync(argument).ConfigureAwait(false); break;
            case SmtpVerb.Helo: reply = await HeloAsync(argument).ConfigureAwait(false); break;
            case SmtpVerb.Mail: reply = await MailAsync(argument).ConfigureAwait(false); break;
            case SmtpVerb.Rcpt: reply = await RcptAsync(argument).ConfigureAwait(false); break;
            case SmtpVerb.Data:
            {
                var (r, started) = await DataAsync(argument).ConfigureAwait(false);
                reply = r;
                if (started)
                {
                    _writer.Write(reply.ToBytes());
                    return Next.Continue;
                }
                break;
            }
            case SmtpVerb.Bdat: return await BdatAsync(argument).ConfigureAwait(false);
            case SmtpVerb.Rset:
                if (argument.Length != 0) { reply = SmtpReplies.NoArguments("RSET"); break; }
                await AbortTransactionAsync().ConfigureAwait(false);
                reply = SmtpReplies.Ok;
                break;
            case SmtpVerb.Noop: reply = SmtpReplies.Ok; break;
            case SmtpVerb.Quit:
                _endReason = "quit";
                _services.Metrics.Replied(SmtpVerb.Quit, SmtpReplies.Bye);
                _writer.Write(SmtpReplies.Bye.ToBytes());
                return Next.Close;
            case SmtpVerb.Vrfy:
                // RFC 5321 §3.5.3: 252 without saying whether the user exists (no enumeration).
                reply = argument.Length == 0 ? SmtpReplies.Syntax("VRFY address") : SmtpReplies.CannotVerify;
                break;
            case SmtpVerb.Expn: reply = SmtpReplies.ExpnRefused; break;
            case SmtpVerb.Help: reply = SmtpReplies.Help; break;
            case SmtpVerb.StartTls:
            {
                var r = StartTlsCommand(argument);
                if (r is null)
                {
                    await SendAndFlushAsync(SmtpReplies.ReadyToStartTls).ConfigureAwait(false);
                    return Next.StartTls;
                }
                reply = r;
                if (r.Code == 421) { Reply(r); return Next.Close; } // over the new-TLS-session rate: 421 closes (RFC 5321 §3.8)
                break;
            }
            case SmtpVerb.Auth: return await AuthAsync(argument).ConfigureAwait(false);
            case SmtpVerb.Etrn: reply = await EtrnAsync(argument).ConfigureAwait(false); break;
            case SmtpVerb.Http:
                // Cross-protocol defence: a web client (or an attack through one) is told off and dropped.
                LogHttpClient(ClientAddress);
                _writer.Write(SmtpReplies.HttpRefused.ToBytes());
                return Next.Close;
            default:
                reply = SmtpReplies.UnknownCommand;
                break;
        }
        return Reply(reply) ? Next.Continue : Next.Close;
    }

    private async ValueTask<SmtpReply> EhloAsync(string argument)
    {
        if (argument.Length == 0 || argument.Contains(' ')) return SmtpReplies.SyntaxEhlo;
        await ResetForNewGreetingAsync(argument, esmtp: true).ConfigureAwait(false);
        if (await FilterHeloAsync(argument).ConfigureAwait(false) is { } filtered) return filtered;
        var lines = new List<string>(14) { _options.Hostname, "PIPELINING" };
        if (CanStartTls) lines.Add("STARTTLS");
        lines.Add($"SIZE {_limits.MessageSizeBytes}");
        if (_services.Etrn is not null) lines.Add("ETRN");
        if (AuthOffered)
        {
            var mechs = string.Join(' ', _services.Authenticator!.Mechanisms);
            lines.Add("AUTH " + mechs);
            if (_options.LegacyAuthLine) lines.Add("AUTH=" + mechs);
        }
        lines.Add("ENHANCEDSTATUSCODES");
        lines.Add("8BITMIME");
        lines.Add("DSN");
        lines.Add("SMTPUTF8");
        lines.Add("CHUNKING");
        return new SmtpReply(250, null, lines);
    }

    private async ValueTask<SmtpReply> HeloAsync(string argument)
    {
        if (argument.Length == 0 || argument.Contains(' ')) return SmtpReplies.SyntaxHelo;
        await ResetForNewGreetingAsync(argument, esmtp: false).ConfigureAwait(false);
        if (await FilterHeloAsync(argument).ConfigureAwait(false) is { } filtered) return filtered;
        return SmtpReplies.Helo(_options.Hostname);
    }

    private async ValueTask ResetForNewGreetingAsync(string name, bool esmtp)
    {
        // RFC 5321 §4.1.4: EHLO/HELO resets the transaction as RSET does.
        await AbortTransactionAsync().ConfigureAwait(false);
        _helo = name;
        _esmtp = esmtp;
    }

    private async ValueTask<SmtpReply> MailAsync(string argument)
    {
        if (_helo is null) return SmtpReplies.NeedHeloFirst;
        if (_tx is not null) return SmtpReplies.NestedMail;
        if (_listener.Role == ListenerRole.Submission && _authUser is null) return SmtpReplies.AuthRequired;
        if (RateLimitMail() is { } tooMuchMail) return tooMuchMail;
        var error = MailFromCommand.TryParse(argument, out var mail);
        if (error is not null) return error;
        if (!_esmtp && (mail!.DeclaredSize is not null || mail.Body != Core.Envelope.BodyType.SevenBit || mail.SmtpUtf8 || mail.EnvelopeId is not null || mail.Return != Core.Envelope.DsnReturn.Unspecified))
            return SmtpReplies.UnknownParameter; // ESMTP parameters need EHLO (RFC 5321 §4.1.1.2)
        if (mail!.Body == Core.Envelope.BodyType.BinaryMime) return SmtpReplies.BadParameterValue("BODY");
        if (mail.DeclaredSize > _limits.MessageSizeBytes) return SmtpReplies.MessageTooBig;
        if (SpoolTooFull(mail.DeclaredSize ?? 0)) return SmtpReplies.InsufficientStorage;
        if (_authUser is not null && mail.ReversePath is not null && _services.Authenticator is not null
            && !await _services.Authenticator.OwnsAddressAsync(_authUser, mail.ReversePath.ToString(), CancellationToken.None).ConfigureAwait(false))
        {
            LogSenderRejected(ClientAddress, _authUser, mail.ReversePath.ToString());
            return SmtpReplies.SenderNotOwned;
        }
        // Backscatter: RET=FULL from a client neither authenticated nor trusted would have us mail whole messages
        // back to a sender anyone can forge; its DSNs carry the headers only (RFC 3461 §4.3 lets the server choose).
        if (mail.Return == Core.Envelope.DsnReturn.Full && _authUser is null && !RelayPolicy.IsTrusted(ClientAddress, _options.TrustedNetworks))
            mail = mail with { Return = Core.Envelope.DsnReturn.Headers };
        // SPF (RFC 7208 §2.4) only for strangers on the MX: trusted and authenticated clients pay nothing.
        Postbote.MailAuth.Spf.SpfCheck? spf = null;
        if (_services.Spf is { } step && _listener.Role == ListenerRole.Mx && _authUser is null && !RelayPolicy.IsTrusted(ClientAddress, _options.TrustedNetworks))
        {
            (spf, var refusal) = await step.CheckAsync(ClientAddress, _helo, mail, _stopping).ConfigureAwait(false);
            if (refusal is not null) return refusal;
        }
        _tx = new SmtpTransaction(mail) { Spf = spf };
        if (await FilterMailAsync(argument).ConfigureAwait(false) is { } filtered)
        {
            _tx = null;
            return filtered;
        }
        return SmtpReplies.SenderOk;
    }

    /// <summary>
    /// True when the spool's file system has less than Limits:SpoolMinimumFreeBytes free, plus the declared
    /// SIZE (Postfix queue_minfree; RFC 1870 §6.1 allows 452 for a SIZE that cannot be taken now).
    /// </summary>
    private bool SpoolTooFull(long declaredSize)
    {
        long minimum = _limits.EffectiveSpoolMinimumFreeBytes;
        if (_services.FreeSpace is not { } space || minimum == 0) return false;
        long available = space.AvailableBytes;
        if (available >= minimum + declaredSize) return false;
        LogSpoolFull(ClientAddress, available, minimum);
        return true;
    }

    private async ValueTask<SmtpReply> RcptAsync(string argument)
    {
        if (_tx is null) return _helo is null ? SmtpReplies.NeedHeloFirst : SmtpReplies.NeedMailFirst;
        if (RateLimitRcpt() is { } tooManyRecipients) return tooManyRecipients;
        var error = RcptToCommand.TryParse(argument, _tx.Mail.SmtpUtf8, PostmasterDomain, out var rcpt);
        if (error is not null) return error;
        if (_tx.Recipients.Count >= _limits.RecipientsPerMessage) return SmtpReplies.TooManyRecipients;
        if (_services.Restrictions is { } restrictions && await RestrictAsync(restrictions).ConfigureAwait(false) is { } restricted) return restricted;
        var mailbox = rcpt!.Recipient;
        if (IsSrsRecipient(mailbox)) return SrsRecipient(rcpt);
        // RFC 5321 §4.1.1.3: "<postmaster>" without a domain is always accepted, for one of ours.
        bool local = !mailbox.IsAddressLiteral && (_options.IsLocalDomain(mailbox.AsciiDomain)
            || await _services.Recipients.IsLocalDomainAsync(mailbox.AsciiDomain, CancellationToken.None).ConfigureAwait(false));
        var decision = rcpt.IsBarePostmaster ? RelayDecision.Local : RelayPolicy.Decide(_authUser, ClientAddress, local, _options);
        if (decision == RelayDecision.Denied || (decision == RelayDecision.Local && RelayPolicy.IsRoutingLocalPart(mailbox.LocalPart)))
        {
            LogRelayDenied(ClientAddress, _helo ?? "", _tx.Mail.ReversePathText, mailbox.ToString());
            return SmtpReplies.RelayDenied;
        }
        IReadOnlyList<string> mailboxes = new[] { mailbox.ToString() };
        if (decision == RelayDecision.Local)
        {
            var resolved = await _services.Recipients.ResolveLocalRecipientAsync(mailbox, _tx.Mail.DeclaredSize ?? 0, CancellationToken.None).ConfigureAwait(false);
            // "<postmaster>" is accepted whatever the directory says (RFC 5321 §4.1.1.3).
            if (resolved.Refusal is { } refused && !rcpt.IsBarePostmaster)
            {
                LogRecipientRejected(ClientAddress, mailbox.ToString(), refused.ToString());
                return refused;
            }
            if (resolved.Refusal is null)
            {
                mailboxes = resolved.Mailboxes;
                NoteForwarded(_tx, resolved.Forwarded);
                NoteForwardingDomain(_tx, mailbox.AsciiDomain, resolved.Forwarded);
            }
        }
        if (_services.Greylist is { } greylist && await GreylistAsync(greylist, mailbox).ConfigureAwait(false) is { } greylisted) return greylisted;
        if (await FilterRcptAsync(rcpt, argument).ConfigureAwait(false) is { } filtered) return filtered;
        _tx.Recipients.Add(rcpt);
        _tx.Mailboxes.Add(mailboxes);
        return SmtpReplies.RecipientOk;
    }

    private async ValueTask<SmtpReply> EtrnAsync(string argument)
    {
        // RFC 1985: 250 started, 251 none queued... 458 unable, 459 not allowed, 501 syntax.
        if (_services.Etrn is null) return SmtpReplies.UnknownCommand;
        if (_helo is null) return SmtpReplies.NeedHeloFirst;
        if (_tx is not null) return SmtpReplies.BadSequence("MAIL transaction in progress");
        if (argument.Length == 0 || argument.Contains(' ')) return SmtpReplies.Syntax("ETRN domain");
        // RFC 1985 §5: "@domain" also covers subdomains; "#queue" names a queue, which Postbote does not have.
        if (argument.StartsWith('#')) return new SmtpReply(458, "4.3.0", $"Unable to queue messages for node {argument}");
        var domain = argument.TrimStart('@');
        if (!Core.Addressing.MailboxParser.IsDomain(domain, allowUtf8: true)) return SmtpReplies.Syntax("ETRN domain");
        // Each ETRN retries a whole domain at once: TrustedNetworks only, or authenticated users if the admin says
        // so (Limits:EtrnFromAuthenticatedUsers), and once per Limits:EtrnMinimumInterval per client and domain.
        bool trusted = RelayPolicy.IsTrusted(ClientAddress, _options.TrustedNetworks);
        bool allowed = trusted || !_options.EtrnFromTrustedOnly || (_authUser is not null && _limits.EtrnFromAuthenticatedUsers);
        if (!allowed)
        {
            LogEtrnRefused(ClientAddress, _authUser, domain);
            return new SmtpReply(459, "4.7.1", $"<{domain}>: service unavailable to this client");
        }
        var node = (argument.StartsWith('@') ? "@" : "") + Core.Addressing.Mailbox.ToAscii(domain);
        var throttle = _services.EtrnThrottle;
        if (!throttle.IsAllowed(ClientAddress, node, _limits.EtrnMinimumInterval, _services.Time)) return SmtpReplies.EtrnTooFrequent;
        int count = await _services.Etrn.StartDeliveryAsync(node, CancellationToken.None).ConfigureAwait(false);
        if (count < 0) return new SmtpReply(458, "4.3.0", $"Unable to queue messages for {domain}");
        if (count > 0) throttle.Started(ClientAddress, node, _limits.EtrnMinimumInterval, _services.Time);
        // RFC 1985 §4 allows a plain 250: only trusted clients learn how much mail waits for a domain.
        if (!trusted) return SmtpReplies.EtrnStarted;
        return count == 0
            ? new SmtpReply(251, "2.0.0", $"OK, no messages waiting for node {domain}")
            : new SmtpReply(250, "2.0.0", $"Queuing started for {domain} ({count} messages)");
    }

    private string PostmasterDomain => _options.IsLocalDomain(_options.Hostname)
        ? _options.Hostname : _options.LocalDomains.Order(StringComparer.Ordinal).FirstOrDefault() ?? _options.Hostname;

    private bool CanStartTls => _tls is null && _services.Certificates is not null;

    private bool AuthOffered => _services.Authenticator is not null && _authUser is null
        && (_listener.OfferAuth) && (_tls is not null || _options.AllowCleartextAuth);

    [LoggerMessage(Level = LogLevel.Information, Message = "connect from [{Client}] on {Listener}")]
    private partial void LogConnect(System.Net.IPAddress client, string listener);

    [LoggerMessage(Level = LogLevel.Information, Message = "disconnect from [{Client}] commands={Commands} errors={Errors}")]
    private partial void LogDisconnect(System.Net.IPAddress client, int commands, int errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "lost connection from [{Client}]: {Reason}")]
    private partial void LogConnectionLost(System.Net.IPAddress client, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: too many connections from [{Client}]")]
    private partial void LogTooManyConnections(System.Net.IPAddress client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: too many errors from [{Client}] ({Errors}), disconnecting")]
    private partial void LogTooManyErrors(System.Net.IPAddress client, int errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "timeout after {State} from [{Client}]")]
    private partial void LogTimeout(System.Net.IPAddress client, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: RCPT from [{Client}]: 554 5.7.1 <{Recipient}>: Relay access denied; from=<{Sender}> helo=<{Helo}>")]
    private partial void LogRelayDenied(System.Net.IPAddress client, string helo, string sender, string recipient);

    [LoggerMessage(Level = LogLevel.Information, Message = "reject: RCPT from [{Client}]: <{Recipient}>: {Reply}")]
    private partial void LogRecipientRejected(System.Net.IPAddress client, string recipient, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: MAIL from [{Client}]: sender <{Sender}> not owned by user {User}")]
    private partial void LogSenderRejected(System.Net.IPAddress client, string user, string sender);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: MAIL from [{Client}]: 452 4.3.1 spool file system has {Available} octets free, {Minimum} required (Limits:SpoolMinimumFreeBytes)")]
    private partial void LogSpoolFull(System.Net.IPAddress client, long available, long minimum);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: ETRN {Domain} from [{Client}] (user {User}): not in TrustedNetworks")]
    private partial void LogEtrnRefused(System.Net.IPAddress client, string? user, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: HTTP request from [{Client}], disconnecting")]
    private partial void LogHttpClient(System.Net.IPAddress client);
}
