using Microsoft.Extensions.Logging;
using Postbote.Core.Envelope;
using Postbote.Core.Smtp;
using Postbote.Queue;
using Postbote.Smtpd.Filters;

namespace Postbote.Smtpd;

/// <summary>
/// The session's side of the content filters (milters): one call per stage of the dialogue, each a no-op when the
/// listener has no filters (no allocation, no I/O). A refusal at connect (or a filter that could not be reached,
/// with DefaultAction Tempfail or Reject) answers every MAIL of the session; at HELO, MAIL, RCPT or DATA it
/// answers that command; at end of data it refuses the message.
/// </summary>
public sealed partial class SmtpSession
{
    private FilterSession? _filter;
    private SmtpReply? _filterDenied;

    /// <summary>The local end of the connection (the filters' {daemon_addr}, {if_addr}).</summary>
    public System.Net.IPEndPoint? LocalEndPoint { get; init; }

    private async ValueTask FilterConnectAsync()
    {
        if (_services.Filters is not { } filters) return;
        _filter = filters.Open(_listener.Name, new FilterFacts
        {
            Hostname = _options.Hostname, Listener = _listener.Name, Client = new System.Net.IPEndPoint(ClientAddress, Remote.Port), Local = LocalEndPoint,
        });
        if (_filter is null) return;
        _filterDenied = await _filter.ConnectAsync(_stopping).ConfigureAwait(false);
    }

    private async ValueTask<SmtpReply?> FilterHeloAsync(string helo)
    {
        // A refusal at connect is given at MAIL (EHLO still works, so the client sees the reason there).
        if (_filter is null || _filterDenied is not null) return null;
        _filter.Facts.TlsVersion = _tls is null ? null : TlsProtocolName(_tls);
        _filter.Facts.TlsCipher = _tls?.NegotiatedCipherSuite.ToString();
        return await _filter.HeloAsync(helo, _stopping).ConfigureAwait(false);
    }

    /// <summary>MAIL for the filters; the queue id is given now (macro i), as Postfix does, and used for the message.</summary>
    private async ValueTask<SmtpReply?> FilterMailAsync(string argument)
    {
        if (_filter is null) return null;
        if (_filterDenied is not null) return _filterDenied;
        _tx!.QueueId = _services.Spool.NewQueueId();
        _filter.Facts.QueueId = _tx.QueueId;
        _filter.Facts.AuthUser = _authUser;
        _filter.Facts.AuthType = _saslMechanism;
        var refused = await _filter.MailAsync(_tx.Mail.ReversePathText, Parameters(argument), _stopping).ConfigureAwait(false);
        if (refused is not null) await _filter.AbortAsync().ConfigureAwait(false);
        return refused;
    }

    private async ValueTask<SmtpReply?> FilterRcptAsync(RcptToCommand rcpt, string argument)
    {
        if (_filter is null) return null;
        return await _filter.RcptAsync(rcpt.Recipient.ToString(), Parameters(argument), _stopping).ConfigureAwait(false);
    }

    private async ValueTask<SmtpReply?> FilterDataAsync()
    {
        if (_filter is null) return null;
        return await _filter.DataAsync(_stopping).ConfigureAwait(false);
    }

    private ValueTask FilterAbortAsync() => _filter is null ? ValueTask.CompletedTask : _filter.AbortAsync();

    /// <summary>The ESMTP parameters after the path of a MAIL or RCPT argument ("FROM:&lt;a@b&gt; SIZE=10" → ["SIZE=10"]).</summary>
    private static string[] Parameters(string argument)
    {
        int close = argument.IndexOf('>');
        if (close < 0) return [];
        return argument[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// The end-of-data filters: a refusal, a discard, or the message to store, rewritten into a new spool file when
    /// a filter changed its header or body (then <see cref="_incoming"/> is the new one).
    /// </summary>
    private async ValueTask<(SmtpReply? Refusal, bool Discard, FilteredMessage? Edits)> FilterMessageAsync()
    {
        var incoming = _incoming!;
        var recipients = _tx!.Recipients.ConvertAll(r => r.Recipient.ToString());
        var outcome = await _filter!.EndOfMessageAsync(incoming, recipients, _stopping).ConfigureAwait(false);
        if (outcome.Refusal is not null || outcome.Discard || outcome.Message is not { } message) return (outcome.Refusal, outcome.Discard, outcome.Message);
        if (message.Changed)
        {
            try
            {
                var capture = incoming.Dkim is not null ? _services.Dkim?.BeginCapture() : null;
                var rewritten = await MessageRewriter.WriteAsync(_services.Spool, incoming, message, capture, _stopping).ConfigureAwait(false);
                _incoming = rewritten;
                _sink.Attach(rewritten);
                await incoming.DisposeAsync().ConfigureAwait(false);
                LogFilterRewrite(rewritten.QueueId, message.Headers.Count, message.ReplacementBody is not null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (await WriteFailedAsync(e).ConfigureAwait(false), false, null);
            }
        }
        return (null, false, message);
    }

    /// <summary>A filter discarded the message: acknowledged as if queued (the client must not retry), then dropped.</summary>
    private async ValueTask<SmtpReply> DiscardFilteredAsync()
    {
        var id = _incoming!.QueueId;
        LogFilterDiscarded(id, ClientAddress, _tx!.Mail.ReversePathText);
        await AbortTransactionAsync().ConfigureAwait(false);
        return SmtpReplies.Queued(id);
    }

    /// <summary>Filters deleted every recipient: nothing to deliver, so nothing is stored (Postfix cleanup does the same).</summary>
    private async ValueTask<SmtpReply> NoRecipientsLeftAsync(QueuedMessage envelope)
    {
        var id = _incoming!.QueueId;
        LogNoRecipientsLeft(id, envelope.ReversePath);
        await AbortTransactionAsync().ConfigureAwait(false);
        return SmtpReplies.Queued(id);
    }

    /// <summary>The filters' envelope changes: a new sender, recipients added and deleted (none left: nothing to deliver).</summary>
    private static void ApplyEnvelopeEdits(QueuedMessage envelope, FilteredMessage edits)
    {
        if (edits.NewSender is { } sender) envelope.ReversePath = sender;
        foreach (var gone in edits.DeletedRecipients)
            envelope.Recipients.RemoveAll(r => string.Equals(r.Address, gone, StringComparison.OrdinalIgnoreCase)
                || string.Equals(r.OriginalAddress, gone, StringComparison.OrdinalIgnoreCase));
        foreach (var added in edits.AddedRecipients)
            if (!envelope.Recipients.Exists(r => string.Equals(r.Address, added, StringComparison.OrdinalIgnoreCase)))
                envelope.Recipients.Add(new QueuedRecipient { Address = added });
        if (edits.QuarantineReason is { } reason) envelope.HoldReason = reason;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: milter-discard: END-OF-MESSAGE from [{Client}]: from=<{Sender}>")]
    private partial void LogFilterDiscarded(string queueId, System.Net.IPAddress client, string sender);

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: filters changed the message: {Fields} header fields, body replaced={BodyReplaced}")]
    private partial void LogFilterRewrite(string queueId, int fields, bool bodyReplaced);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{QueueId}: hold: from [{Client}]: from=<{Sender}>: {Reason}")]
    private partial void LogFilterHold(string queueId, System.Net.IPAddress client, string sender, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: discard: filters left no recipients; from=<{Sender}>")]
    private partial void LogNoRecipientsLeft(string queueId, string sender);
}
