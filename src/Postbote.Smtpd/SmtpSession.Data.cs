using System.Buffers;
using Microsoft.Extensions.Logging;
using Postbote.Core.Envelope;
using Postbote.Core.Smtp;
using Postbote.Queue;

namespace Postbote.Smtpd;

public sealed partial class SmtpSession
{
    private DataDecoder? _decoder;
    private IncomingMessage? _incoming;
    private long _bdatRemaining;
    private bool _bdatLast;
    private SmtpReply? _bdatError;
    private long _bdatSize;
    private int _bdatChunks;
    private readonly SpoolFileWriter _sink = new();

    private string Protocol => !_esmtp ? "SMTP" : "ESMTP" + (_tls is not null ? "S" : "") + (_authUser is not null ? "A" : "");

    private async ValueTask<(SmtpReply Reply, bool Started)> DataAsync(string argument)
    {
        if (argument.Length != 0) return (SmtpReplies.NoArguments("DATA"), false);
        var check = CheckReadyForData();
        if (check is not null) return (check, false);
        if (_tx!.UsedBdat) return (SmtpReplies.BadSequence("DATA not allowed after BDAT"), false);
        if (await FilterDataAsync().ConfigureAwait(false) is { } filtered) return (filtered, false);
        var failed = await BeginMessageAsync().ConfigureAwait(false);
        if (failed is not null) return (failed, false);
        _decoder = new DataDecoder(_limits.MessageSizeBytes);
        _mode = Mode.Data;
        StartDataPhase();
        return (SmtpReplies.StartData, true);
    }

    private SmtpReply? CheckReadyForData()
    {
        if (_helo is null) return SmtpReplies.NeedHeloFirst;
        if (_tx is null) return SmtpReplies.NeedMailFirst;
        if (_tx.Recipients.Count == 0) return SmtpReplies.NeedRcptFirst;
        return null;
    }

    /// <summary>Allocates the queue id and starts the spool file with our Received: header.</summary>
    private async ValueTask<SmtpReply?> BeginMessageAsync()
    {
        try
        {
            var id = _tx!.QueueId ?? _services.Spool.NewQueueId();
            _incoming = _services.Spool.BeginMessage(id);
            if (SignsOutgoingMail && _services.Dkim?.BeginCapture() is { } capture) _incoming.CaptureForDkim(capture);
            else if (ChecksInboundMail) _incoming.CaptureForDkim(_services.InboundChecks!.BeginCapture());
            BeginArcCapture();
            var tls = _tls;
            string? single = _tx!.Recipients.Count == 1 ? _tx.Recipients[0].Recipient.ToString() : null;
            var received = ReceivedHeader.Build(_helo, ClientAddress.ToString(), _options.Hostname, Protocol, id,
                tls is null ? null : TlsProtocolName(tls), tls?.NegotiatedCipherSuite.ToString(),
                _options.AuthenticatedUserInReceived ? _authUser : null, single, _services.Time.GetUtcNow());
            var bytes = System.Text.Encoding.UTF8.GetBytes(received);
            _sink.Attach(_incoming);
            _sink.Write(bytes);
            _headerStart = bytes.Length;
            await ValueTask.CompletedTask.ConfigureAwait(false);
            return _sink.Error is { } failed ? await WriteFailedAsync(failed).ConfigureAwait(false) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return await WriteFailedAsync(e).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A spool write failed: the message is dropped (its temporary file removed, freeing its space) and the reply
    /// says try later, 452 4.3.1 when the file system is full (RFC 3463 §3.5), else 451 4.3.0. The log has the reason.
    /// </summary>
    private async ValueTask<SmtpReply> WriteFailedAsync(Exception e)
    {
        LogSpoolError(e.Message);
        await AbortMessageAsync().ConfigureAwait(false);
        if (!SpoolFreeSpace.IsDiskFull(e)) return SmtpReplies.LocalError;
        _services.FreeSpace?.Invalidate();
        return SmtpReplies.InsufficientStorage;
    }

    private int _headerStart;

    /// <summary>Mail we sign (DKIM): from an authenticated client or one in TrustedNetworks, as OpenDKIM's InternalHosts.</summary>
    private bool SignsOutgoingMail => _authUser is not null || RelayPolicy.IsTrusted(ClientAddress, _options.TrustedNetworks);

    private SequencePosition DecodeData(ReadOnlySequence<byte> rest)
    {
        IBufferWriter<byte> sink = _sink;
        long consumed = 0;
        foreach (var segment in rest)
        {
            int used = _decoder!.Decode(segment.Span, sink);
            consumed += used;
            if (_decoder.Completed) break;
        }
        _dataPhaseBytes += consumed;
        return rest.GetPosition(consumed);
    }

    private async ValueTask<Next> FinishDataAsync()
    {
        _mode = Mode.Command;
        var decoder = _decoder!;
        _decoder = null;
        if (_sink.Error is { } failed)
        {
            var error = await WriteFailedAsync(failed).ConfigureAwait(false);
            await AbortTransactionAsync().ConfigureAwait(false);
            return Reply(error) ? Next.Continue : Next.Close;
        }
        var reply = await CommitMessageAsync(EndOfDataRefusal(decoder), BodyOf(decoder)).ConfigureAwait(false);
        return Reply(reply) ? Next.Continue : Next.Close;
    }

    /// <summary>What DATA and BDAT refuse at the end of the message, from the decoder's flags.</summary>
    private SmtpReply? EndOfDataRefusal(DataDecoder decoder)
    {
        if (decoder.SawBareLineEnding) return SmtpReplies.BareLineEnding;
        if (decoder.Oversized) return SmtpReplies.MessageTooBig;
        if (decoder.SawLongLine && _limits.LongLines == LongLinePolicy.Reject) return SmtpReplies.LongLines;
        return null;
    }

    /// <summary>The body type to store: 8-bit octets under a declared (or default) 7BIT make it 8BITMIME.</summary>
    private BodyType BodyOf(DataDecoder decoder) =>
        decoder.SawEightBit && _tx!.Mail.Body == BodyType.SevenBit ? BodyType.EightBitMime : _tx!.Mail.Body;

    /// <summary>Runs the end-of-message checks and, if they pass, makes the message durable before 250.</summary>
    private async ValueTask<SmtpReply> CommitMessageAsync(SmtpReply? refusal, BodyType body)
    {
        var incoming = _incoming!;
        var tx = _tx!;
        // Our own Received: is the first; the client's count from there.
        if (refusal is null && incoming.Headers.ReceivedCount - 1 > _limits.MaxReceivedHeaders) refusal = SmtpReplies.MailLoop;
        var prepend = new List<string>();
        if (tx.Spf is { } spf) prepend.Add(_services.Spf!.ReceivedSpf(spf, ClientAddress, _helo ?? "", tx.Mail.ReversePathText));
        if (refusal is null && _listener.Role == ListenerRole.Submission && _authUser is not null)
            refusal = await SubmissionChecksAsync(incoming, prepend).ConfigureAwait(false);
        // The checks see the message as received, before a filter may rewrite it.
        InboundMarks marks = default;
        if (refusal is null && ChecksInboundMail) (refusal, marks) = await CheckInboundAsync(incoming, tx, prepend).ConfigureAwait(false);
        Filters.FilteredMessage? edits = null;
        if (refusal is null && _filter is not null)
        {
            (refusal, bool discard, edits) = await FilterMessageAsync().ConfigureAwait(false);
            if (discard) return await DiscardFilteredAsync().ConfigureAwait(false);
            if (_incoming is null) return refusal!; // the rewrite failed: refused and aborted already
            // A rewritten message is a new file: the omitted ranges are found again in its header section.
            if (_incoming != incoming && marks.OmitRanges is not null) marks = marks with { OmitRanges = ForgedResultsIn(_incoming.Dkim) };
            incoming = _incoming;
        }
        if (refusal is not null)
        {
            LogMessageRefused(ClientAddress, incoming.QueueId, refusal.ToString());
            await AbortTransactionAsync().ConfigureAwait(false);
            return refusal;
        }
        // DKIM-Signature first: it covers the fields added above and the stored header; the body hash is already done.
        if (incoming.Dkim is { } dkim && SignsOutgoingMail && !incoming.Headers.EndedByNonFieldLine && _services.Dkim is { } signer)
            prepend.InsertRange(0, signer.Sign(dkim, prepend, incoming.QueueId));
        var forwardHeaders = incoming.Arc is { } arc ? await SealForwardedAsync(tx, arc, prepend, incoming.QueueId).ConfigureAwait(false) : null;
        var envelope = new QueuedMessage
        {
            ArrivalTime = _services.Time.GetUtcNow(),
            ReversePath = tx.Mail.ReversePathText,
            Body = body,
            SmtpUtf8 = tx.Mail.SmtpUtf8,
            Return = tx.Mail.Return,
            EnvelopeId = tx.Mail.EnvelopeId,
            ClientAddress = ClientAddress.ToString(),
            HeloName = _helo,
            Protocol = Protocol,
            TlsProtocol = _tls is null ? null : TlsProtocolName(_tls),
            TlsCipher = _tls?.NegotiatedCipherSuite.ToString(),
            AuthenticatedUser = _authUser,
            Listener = _listener.Name,
            AcceptedBy = _options.NodeName ?? _options.Hostname,
            PrependHeaders = prepend,
            OmitRanges = marks.OmitRanges,
            Folder = marks.Folder,
            ForwardPrependHeaders = forwardHeaders,
            Recipients = ExpandRecipients(tx, tx.Forwarded is null ? null : await ForwardSenderAsync(tx, incoming.QueueId).ConfigureAwait(false)),
        };
        if (edits is not null)
        {
            ApplyEnvelopeEdits(envelope, edits);
            if (envelope.Recipients.Count == 0) return await NoRecipientsLeftAsync(envelope).ConfigureAwait(false);
            if (envelope.HoldReason is { } reason) LogFilterHold(incoming.QueueId, ClientAddress, envelope.ReversePath, reason);
        }
        var sent = _authUser is not null && _listener.Role == ListenerRole.Submission ? _services.SentFolder : null;
        Stream? sentCopy = null;
        try
        {
            // The Sent copy is opened once the message is durable but before the queue hears of it: a delivery
            // that finishes at once and removes the spool file cannot take the copy's bytes with it.
            await _services.Spool.CommitAsync(incoming, envelope, CancellationToken.None,
                sent is null ? null : durable => sentCopy = OpenSentCopy(durable), envelope.HoldReason is null ? QueueState.Active : QueueState.Hold).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var error = await WriteFailedAsync(e).ConfigureAwait(false);
            await AbortTransactionAsync().ConfigureAwait(false);
            return error;
        }
        LogQueued(incoming.QueueId, ClientAddress, envelope.ReversePath, envelope.Recipients.Count, envelope.Size, Protocol, _authUser);
        _services.Metrics.MessageReceived(_listener.Name, envelope.Size);
        if (sent is not null && sentCopy is not null)
        {
            try { await sent.FileAsync(envelope, sentCopy, _authUser!, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException) { LogSentCopyFailed(envelope.QueueId, _authUser!, e.Message); }
            finally { await sentCopy.DisposeAsync().ConfigureAwait(false); }
        }
        _incoming = null;
        _sink.Detach();
        await incoming.DisposeAsync().ConfigureAwait(false);
        _tx = null;
        return SmtpReplies.Queued(envelope.QueueId);
    }

    /// <summary>Opens the committed message for its Sent copy; never throws (the message is already acknowledged).</summary>
    private Stream? OpenSentCopy(QueuedMessage envelope)
    {
        try { return _services.Spool.OpenForDelivery(envelope); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogSentCopyFailed(envelope.QueueId, _authUser!, e.Message);
            return null;
        }
    }

    /// <summary>
    /// The envelope recipients: local ones expanded to their final mailboxes, each remembering what the client gave;
    /// forwarded ones marked, with the SRS sender when there is one.
    /// </summary>
    private static List<QueuedRecipient> ExpandRecipients(SmtpTransaction tx, string? forwardSender)
    {
        var list = new List<QueuedRecipient>(tx.Recipients.Count);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < tx.Recipients.Count; i++)
        {
            var r = tx.Recipients[i];
            var given = r.Recipient.ToString();
            foreach (var target in tx.Mailboxes[i])
            {
                if (!seen.Add(target)) continue; // one copy per final mailbox
                list.Add(new QueuedRecipient
                {
                    Address = target,
                    OriginalAddress = string.Equals(target, given, StringComparison.OrdinalIgnoreCase) ? null : given,
                    Notify = r.Notify,
                    OriginalRecipientParameter = r.OriginalRecipient,
                    Forwarded = tx.Forwarded?.Contains(target) == true,
                    ReversePath = forwardSender is not null && tx.Forwarded!.Contains(target) ? forwardSender : null,
                });
            }
        }
        return list;
    }

    /// <summary>
    /// The anti-spoofing check of the author fields (<see cref="SenderBinding"/>: one From:, at most one Sender:, all
    /// owned, fail closed when they cannot be judged) and the RFC 6409 §8 fixes (Message-ID:, Date: added when missing).
    /// </summary>
    private async ValueTask<SmtpReply?> SubmissionChecksAsync(IncomingMessage incoming, List<string> prepend)
    {
        var headers = incoming.Headers;
        if (_options.CheckFromHeader && _services.Authenticator is { } authenticator)
        {
            string user = _authUser!;
            var (outcome, address) = await SenderBinding.CheckAsync(headers,
                (a, ct) => authenticator.OwnsAddressAsync(user, a, ct), CancellationToken.None).ConfigureAwait(false);
            if (SenderBinding.ReplyFor(outcome) is { } refusal)
            {
                LogSenderRejected(ClientAddress, user, address ?? outcome.ToString());
                return refusal;
            }
        }
        if (headers.MessageId.Count == 0)
            prepend.Add($"Message-ID: <{incoming.QueueId}.{Guid.NewGuid():N}@{_options.Hostname}>\r\n");
        if (headers.Date.Count == 0)
            prepend.Add("Date: " + _services.Time.GetUtcNow().ToString("ddd, dd MMM yyyy HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture) + "\r\n");
        return null;
    }

    private async ValueTask<Next> BdatAsync(string argument)
    {
        // RFC 3030: "BDAT" SP chunk-size [ SP end-marker ]. The chunk is read even when the command is refused.
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 2 || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, null, out long size)
            || (parts.Length == 2 && !parts[1].Equals("LAST", StringComparison.OrdinalIgnoreCase)))
        {
            // Without a valid size the stream cannot be resynchronised: refuse and close.
            _writer.Write(SmtpReplies.Syntax("BDAT chunk-size [LAST]").ToBytes());
            return Next.Close;
        }
        _bdatRemaining = size;
        _bdatLast = parts.Length == 2;
        _bdatError = _bdatError is null ? CheckReadyForData() : _bdatError;
        if (_bdatError is null && _incoming is null)
        {
            _tx!.UsedBdat = true;
            _bdatError = await FilterDataAsync().ConfigureAwait(false) ?? await BeginMessageAsync().ConfigureAwait(false);
            _bdatSize = 0;
            _bdatChunks = 0;
            // The chunks of one message go through one decoder: DATA's checks, without dot-unstuffing.
            _decoder = DataDecoder.ForChunks(_limits.MessageSizeBytes);
        }
        if (_bdatError is null && ++_bdatChunks > _limits.BdatChunksPerMessage)
        {
            // A "BDAT 0" loop (or chunks of a few octets) ends here; the rest of the sequence is refused.
            LogTooManyChunks(ClientAddress, _bdatChunks);
            await AbortTransactionAsync().ConfigureAwait(false);
            _bdatError = SmtpReplies.TooManyChunks;
            _bdatLast = parts.Length == 2; // the sequence ends with this chunk if it is the LAST
        }
        _mode = Mode.Bdat;
        StartDataPhase();
        if (_bdatRemaining == 0) return await FinishChunkAsync().ConfigureAwait(false);
        return Next.Continue;
    }

    private SequencePosition ReadChunk(ReadOnlySequence<byte> rest)
    {
        long take = Math.Min(rest.Length, _bdatRemaining);
        var chunk = rest.Slice(0, take);
        _bdatRemaining -= take;
        _bdatSize += take;
        _dataPhaseBytes += take;
        if (_bdatError is null && _decoder is not null)
        {
            foreach (var segment in chunk) _decoder.Decode(segment.Span, _sink);
        }
        return chunk.End;
    }

    private async ValueTask<Next> FinishChunkAsync()
    {
        _mode = Mode.Command;
        if (_bdatError is not null)
        {
            var error = _bdatError;
            if (_bdatLast) _bdatError = null;
            await AbortMessageAsync().ConfigureAwait(false);
            return Reply(error) ? Next.Continue : Next.Close;
        }
        var decoder = _decoder!;
        SmtpReply? failed = _sink.Error is { } e ? await WriteFailedAsync(e).ConfigureAwait(false)
            : decoder.Oversized ? SmtpReplies.MessageTooBig : null;
        if (failed is not null)
        {
            // The rest of the sequence is refused with the same reply, up to its LAST chunk (RFC 3030 §2).
            bool last = _bdatLast;
            await AbortTransactionAsync().ConfigureAwait(false);
            _bdatError = last ? null : failed;
            return Reply(failed) ? Next.Continue : Next.Close;
        }
        if (!_bdatLast) return Reply(new SmtpReply(250, "2.0.0", $"{_bdatSize} octets received")) ? Next.Continue : Next.Close;
        decoder.FinishChunks(_sink);
        _decoder = null;
        var reply = await CommitMessageAsync(EndOfDataRefusal(decoder), BodyOf(decoder)).ConfigureAwait(false);
        return Reply(reply) ? Next.Continue : Next.Close;
    }

    private async ValueTask AbortMessageAsync()
    {
        var incoming = _incoming;
        _incoming = null;
        _sink.Detach();
        if (incoming is not null) await incoming.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask AbortTransactionAsync()
    {
        await AbortMessageAsync().ConfigureAwait(false);
        await FilterAbortAsync().ConfigureAwait(false);
        _tx = null;
        _decoder = null;
        // RFC 3030 §2: RSET (and a new EHLO) also ends a BDAT sequence, including a refused one.
        _bdatError = null;
        _bdatSize = 0;
        _bdatChunks = 0;
        _bdatLast = false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: queued from=<{Sender}>, nrcpt={Recipients}, size={Size}, client=[{Client}], proto={Protocol}, sasl_username={User}")]
    private partial void LogQueued(string queueId, System.Net.IPAddress client, string sender, int recipients, long size, string protocol, string? user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: end of data from [{Client}] ({QueueId}): {Reply}")]
    private partial void LogMessageRefused(System.Net.IPAddress client, string queueId, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{QueueId}: Sent copy for {User} failed: {Reason}")]
    private partial void LogSentCopyFailed(string queueId, string user, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: BDAT from [{Client}]: {Chunks} chunks in one message")]
    private partial void LogTooManyChunks(System.Net.IPAddress client, int chunks);

    [LoggerMessage(Level = LogLevel.Error, Message = "spool write failed: {Reason}")]
    private partial void LogSpoolError(string reason);
}
