using System.Buffers;
using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;
using Postbote.Smtpd.RateLimiting;
using Postbote.Smtpd.Screening;

namespace Postbote.Smtpd;

/// <summary>
/// The start of a session, before the first command: the connection rate limit, the TLS handshake of an
/// implicit-TLS listener (counted as a new TLS session), screening (postscreen) and the greeting.
/// </summary>
public sealed partial class SmtpSession
{
    private static SmtpReply PregreetRefused { get; } = new(554, "5.5.1", "Protocol error");

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
        if (_services.Screen is { } screen && screen.Applies(_listener) && !await screen.IsKnownGoodAsync(ClientAddress, _stopping).ConfigureAwait(false))
            return await ScreenAsync(screen).ConfigureAwait(false);
        await SendAndFlushAsync(SmtpReplies.Greeting(_options.Hostname)).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// postscreen's tests for a client not known good: the first greeting line ("220-"), then the greet delay while
    /// the DNS lists are asked; a client that speaks meanwhile is PREGREET (554 5.5.1); a listed one is refused
    /// 554 5.7.1; the rest get the last greeting line ("220 ") and are remembered as passed. Holds no buffer of its
    /// own: one timer and one pending read.
    /// </summary>
    private async ValueTask<bool> ScreenAsync(Screen screen)
    {
        using var lookupsDone = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        try
        {
            return await ScreenAsync(screen, lookupsDone).ConfigureAwait(false);
        }
        finally
        {
            lookupsDone.Cancel(); // the delay's timer and any lookup still running end with the test, whatever ended it
        }
    }

    private async ValueTask<bool> ScreenAsync(Screen screen, CancellationTokenSource lookupsDone)
    {
        var lookups = screen.LookupAsync(ClientAddress, lookupsDone.Token);
        _writer.Write(System.Text.Encoding.ASCII.GetBytes($"220-{_options.Hostname} ESMTP Postbote\r\n"));
        await FlushRepliesAsync().ConfigureAwait(false);

        var read = _reader.ReadAsync(_stopping).AsTask();
        var delay = Task.Delay(screen.Options.GreetDelay, _services.Time, lookupsDone.Token);
        if (await Task.WhenAny(read, delay).ConfigureAwait(false) != read) _reader.CancelPendingRead();
        var result = await read.ConfigureAwait(false);
        bool spoke = !result.Buffer.IsEmpty, left = result.IsCompleted && result.Buffer.IsEmpty;
        if (spoke) LogPregreet(ClientAddress, screen.Options.GreetDelay.TotalSeconds, Screen.Escape(result.Buffer));
        _reader.AdvanceTo(result.Buffer.Start);
        if (spoke || left || _stopRequested)
        {
            lookupsDone.Cancel();
            await lookups.ConfigureAwait(false);
            if (spoke) await SendAndFlushAsync(PregreetRefused).ConfigureAwait(false);
            else if (_stopRequested) await SendAndFlushAsync(SmtpReplies.ShuttingDown(_options.Hostname)).ConfigureAwait(false);
            return false;
        }

        var dnsbl = await lookups.ConfigureAwait(false);
        _dnsbl = dnsbl;
        if (dnsbl.Score >= screen.Options.DnsblThreshold)
        {
            LogDnsblBlocked(ClientAddress, dnsbl.Score, dnsbl.ListedBy ?? "");
            await SendAndFlushAsync(new SmtpReply(554, "5.7.1", $"Service unavailable; client [{ClientAddress}] blocked using {dnsbl.ListedBy}")).ConfigureAwait(false);
            return false;
        }
        // Only a complete pass is remembered: a client whose lists did not answer is asked again next time.
        if (dnsbl.Unanswered == 0) await screen.RecordPassAsync(ClientAddress, _stopping).ConfigureAwait(false);
        await SendAndFlushAsync(SmtpReplies.Greeting(_options.Hostname)).ConfigureAwait(false);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PREGREET after {Seconds}s wait from [{Client}]: {Bytes}")]
    private partial void LogPregreet(System.Net.IPAddress client, double seconds, string bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DNSBL rank {Score} for [{Client}]: blocked using {List}")]
    private partial void LogDnsblBlocked(System.Net.IPAddress client, int score, string list);
}
