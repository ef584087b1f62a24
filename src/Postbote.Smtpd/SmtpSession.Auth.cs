using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd;

public sealed partial class SmtpSession
{
    private ISaslExchange? _sasl;
    private string? _saslMechanism;
    private string? _saslIdentity;

    /// <summary>AUTH mechanism [initial-response] (RFC 4954 §4).</summary>
    private async ValueTask<Next> AuthAsync(string argument)
    {
        var auth = _services.Authenticator;
        if (auth is null || !_listener.OfferAuth) return ReplyNext(SmtpReplies.AuthNotOffered);
        if (_helo is null || !_esmtp) return ReplyNext(SmtpReplies.BadSequence("send EHLO first"));
        if (_authUser is not null) return ReplyNext(SmtpReplies.AlreadyAuthenticated);
        if (_tx is not null) return ReplyNext(SmtpReplies.AuthInTransaction);
        if (_tls is null && !_options.AllowCleartextAuth) return ReplyNext(SmtpReplies.EncryptionRequiredForAuth);
        if (_services.AuthThrottle?.IsBlocked(ClientAddress) == true)
        {
            LogAuthBlocked(ClientAddress);
            _writer.Write(SmtpReplies.AuthThrottled.ToBytes());
            return Next.Close;
        }
        var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return ReplyNext(SmtpReplies.Syntax("AUTH mechanism [initial-response]"));
        var mechanism = parts[0].ToUpperInvariant();
        var exchange = auth.Start(mechanism);
        if (exchange is null) return ReplyNext(SmtpReplies.AuthUnknownMechanism);
        ReadOnlyMemory<byte>? initial = null;
        if (parts.Length == 2)
        {
            if (parts[1] == "=") initial = ReadOnlyMemory<byte>.Empty;
            else
            {
                var decoded = DecodeBase64(parts[1]);
                if (decoded is null) return ReplyNext(SmtpReplies.AuthBadBase64);
                initial = decoded;
            }
        }
        _sasl = exchange;
        _saslMechanism = mechanism;
        return await SaslStepAsync(initial).ConfigureAwait(false);
    }

    private async ValueTask<Next> HandleAuthResponseAsync(byte[] line)
    {
        var text = Encoding.ASCII.GetString(line).Trim();
        if (text == "*")
        {
            EndSasl();
            return ReplyNext(SmtpReplies.AuthCancelled);
        }
        var decoded = DecodeBase64(text);
        if (decoded is null)
        {
            EndSasl();
            return ReplyNext(SmtpReplies.AuthBadBase64);
        }
        return await SaslStepAsync(decoded).ConfigureAwait(false);
    }

    private async ValueTask<Next> SaslStepAsync(ReadOnlyMemory<byte>? response)
    {
        if (_saslIdentity is null && response is { Length: > 0 } named)
            _saslIdentity = AuthThrottle.AttemptedIdentity(_saslMechanism!, named.Span);
        SaslOutcome outcome;
        try
        {
            outcome = await _sasl!.StepAsync(response, CancellationToken.None).ConfigureAwait(false);
        }
        catch (FormatException)
        {
            outcome = SaslOutcome.Failure;
        }
        if (outcome.Challenge is not null)
        {
            _mode = Mode.AuthResponse;
            _writer.Write(Encoding.ASCII.GetBytes("334 " + Convert.ToBase64String(outcome.Challenge) + "\r\n"));
            return Next.Continue;
        }
        var mechanism = _saslMechanism!;
        var identity = outcome.User ?? _saslIdentity;
        EndSasl();
        // Refused while this identity is blocked from here, even with the right password: guessing learns nothing.
        if (_services.AuthThrottle?.IsBlocked(ClientAddress, identity) == true)
        {
            LogAuthBlocked(ClientAddress);
            _writer.Write(SmtpReplies.AuthThrottled.ToBytes());
            return Next.Close;
        }
        if (outcome.User is not null)
        {
            _authUser = outcome.User;
            _services.AuthThrottle?.RecordSuccess(ClientAddress, outcome.User);
            LogAuthSuccess(ClientAddress, mechanism, outcome.User);
            _services.Metrics.Authenticated(mechanism, success: true);
            return ReplyNext(SmtpReplies.AuthSucceeded);
        }
        LogAuthFailed(ClientAddress, mechanism);
        _services.Metrics.Authenticated(mechanism, success: false);
        if (outcome.Malformed) return ReplyNext(SmtpReplies.AuthBadBase64);
        if (_services.AuthThrottle is { } throttle)
        {
            var delay = throttle.RecordFailure(ClientAddress, identity);
            if (delay > TimeSpan.Zero) await Task.Delay(delay, _services.Time, CancellationToken.None).ConfigureAwait(false);
        }
        return ReplyNext(SmtpReplies.AuthFailed);
    }

    private void EndSasl()
    {
        _sasl = null;
        _saslMechanism = null;
        _saslIdentity = null;
        _mode = Mode.Command;
    }

    private Next ReplyNext(SmtpReply reply) => Reply(reply) ? Next.Continue : Next.Close;

    private static byte[]? DecodeBase64(string text)
    {
        if (text.Length == 0) return Array.Empty<byte>();
        try { return Convert.FromBase64String(text); }
        catch (FormatException) { return null; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "auth: [{Client}] sasl_method={Mechanism}, sasl_username={User}: authenticated")]
    private partial void LogAuthSuccess(System.Net.IPAddress client, string mechanism, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "auth: [{Client}] sasl_method={Mechanism}: authentication failed")]
    private partial void LogAuthFailed(System.Net.IPAddress client, string mechanism);

    [LoggerMessage(Level = LogLevel.Warning, Message = "auth: [{Client}] blocked after too many failed attempts")]
    private partial void LogAuthBlocked(System.Net.IPAddress client);
}
