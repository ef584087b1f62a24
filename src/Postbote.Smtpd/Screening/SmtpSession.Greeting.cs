using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;
using Postbote.Smtpd.RateLimiting;

namespace Postbote.Smtpd;

/// <summary>
/// The start of a session, before the first command: the connection rate limit, the TLS handshake of an
/// implicit-TLS listener (counted as a new TLS session), and the greeting.
/// </summary>
public sealed partial class SmtpSession
{
    /// <summary>False when the session must end before the first command (the reply, if any, was sent and logged).</summary>
    private async ValueTask<bool> OpenSessionAsync()
    {
        var tooMany = RateLimited(RateLimitedEvent.Connection);
        if (_listener.ImplicitTls)
        {
            // Nothing can be said before the handshake to a client that expects TLS: over a limit it is closed unanswered.
            tooMany ??= RateLimitNewTls();
            if (tooMany is not null) return false;
            if (!await StartTlsAsync().ConfigureAwait(false)) return false;
        }
        if (tooMany is not null)
        {
            await SendAndFlushAsync(tooMany).ConfigureAwait(false);
            return false;
        }
        await SendAndFlushAsync(SmtpReplies.Greeting(_options.Hostname)).ConfigureAwait(false);
        return true;
    }
}
