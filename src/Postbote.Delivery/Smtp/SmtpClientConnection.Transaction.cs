using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;

namespace Postbote.Delivery.Smtp;

public sealed partial class SmtpClientConnection
{
    /// <summary>
    /// Runs one mail transaction (MAIL, RCPT..., DATA, message, end of data) and returns one result per recipient
    /// in request order. Refused recipients get <see cref="FailureScope.Recipient"/>, MAIL/DATA/end-of-data
    /// refusals <see cref="FailureScope.Message"/>, and a timeout or lost connection
    /// <see cref="FailureScope.Session"/> (after which <see cref="IsUsable"/> is false). Only cancellation throws.
    /// </summary>
    public async Task<IReadOnlyList<RecipientResult>> SendAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var results = new RecipientResult?[request.Recipients.Count];
        if (results.Length == 0)
            return Array.Empty<RecipientResult>();
        if (!IsUsable)
            return FillAll(results, request.Recipients, RecipientResult.Temporary, "4.4.2", $"connection to {RemoteMta} is no longer usable", FailureScope.Session);

        if (Capabilities.MaxSize is long limit && request.Size > limit)
            return FillAll(results, request.Recipients, RecipientResult.Permanent, "5.3.4", $"message size {request.Size} exceeds size limit {limit} of {RemoteMta}", FailureScope.Message);
        if (request.SmtpUtf8 && !Capabilities.SmtpUtf8)
            return FillAll(results, request.Recipients, RecipientResult.Permanent, "5.6.7", $"{RemoteMta} does not support SMTPUTF8 (RFC 6531)", FailureScope.Message);
        if (request.Body == BodyType.BinaryMime)
            return FillAll(results, request.Recipients, RecipientResult.Permanent, "5.6.3", "BINARYMIME content cannot be relayed without BDAT, which this client does not implement", FailureScope.Message);

        Stream message;
        try
        {
            message = await request.OpenMessage(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger?.LogWarning(ex, "{QueueId}: cannot open message", request.QueueId);
            return FillAll(results, request.Recipients, RecipientResult.Temporary, "4.3.0", "cannot read the queued message", FailureScope.Message);
        }

        TransactionCount++;
        await using (message.ConfigureAwait(false))
        {
            try
            {
                await RunTransactionAsync(request, message, results, cancellationToken).ConfigureAwait(false);
            }
            catch (SmtpSessionException ex)
            {
                _needsReset = true;
                var make = ex.IsPermanent ? (Func<string, string, string, string?, FailureScope, RecipientResult>)RecipientResult.Permanent : RecipientResult.Temporary;
                return FillAll(results, request.Recipients, make, ex.Status, ex.Message, FailureScope.Session);
            }
        }
        return results!;
    }

    private async Task RunTransactionAsync(DeliveryRequest request, Stream message, RecipientResult?[] results, CancellationToken cancellationToken)
    {
        // RSET only after a transaction that did not end: a completed one (250 after the end of data) leaves the
        // server ready for the next MAIL (RFC 5321 4.1.1.4). A cached connection the peer has closed meanwhile
        // fails the first read like a session failure, and the delivery agent retries on a fresh connection.
        bool reset = _needsReset;
        _needsReset = true;
        var recipients = request.Recipients;
        SmtpReply mail;
        SmtpReply? data = null;
        var accepted = new List<int>();
        if (Capabilities.Pipelining)
        {
            // RFC 2920: RSET, MAIL and RCPT may be sent as a group, and DATA may end it; one round trip for all
            // (as Postfix's client does), the replies then read in order.
            if (reset) QueueCommand("RSET");
            QueueCommand(BuildMail(request));
            foreach (var rcpt in recipients)
                QueueCommand(BuildRcpt(rcpt));
            QueueCommand("DATA");
            await FlushAsync(_options.MailTimeout, "sending MAIL FROM, RCPT TO and DATA", cancellationToken).ConfigureAwait(false);
            if (reset)
            {
                EnsureReset(await ReadReplyAsync(_options.RsetTimeout, "waiting for the RSET reply", cancellationToken).ConfigureAwait(false));
            }
            mail = await ReadReplyAsync(_options.MailTimeout, "waiting for the MAIL FROM reply", cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < recipients.Count; i++)
            {
                var reply = await ReadReplyAsync(_options.RcptTimeout, "waiting for the RCPT TO reply", cancellationToken).ConfigureAwait(false);
                if (mail.IsPositiveCompletion)
                    RecordRcpt(i, reply, recipients, results, accepted);
            }
            data = await ReadReplyAsync(_options.DataInitTimeout, "waiting for the DATA reply", cancellationToken).ConfigureAwait(false);
            if (data.Code == 354 && (!mail.IsPositiveCompletion || accepted.Count == 0))
            {
                // A server that opened DATA although no recipient was accepted (RFC 2920 3.1 says it must not).
                if (_options.Lmtp)
                {
                    // LMTP answers the end of data once per accepted recipient: with none there is no reply to wait
                    // for (RFC 2033 requires 503 here). Drop the connection rather than guess.
                    IsUsable = false;
                }
                else
                {
                    // End the empty message at once and discard whatever the server answers.
                    await WriteRawAsync(".\r\n"u8.ToArray(), _options.DataBlockTimeout, "ending an empty DATA", cancellationToken).ConfigureAwait(false);
                    await ReadReplyAsync(_options.DataEndTimeout, "waiting for the end-of-data reply", cancellationToken).ConfigureAwait(false);
                }
            }
        }
        else
        {
            if (reset)
            {
                EnsureReset(await CommandAsync("RSET", _options.RsetTimeout, "sending RSET", cancellationToken).ConfigureAwait(false));
            }
            QueueCommand(BuildMail(request));
            await FlushAsync(_options.MailTimeout, "sending MAIL FROM", cancellationToken).ConfigureAwait(false);
            mail = await ReadReplyAsync(_options.MailTimeout, "waiting for the MAIL FROM reply", cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < recipients.Count && mail.IsPositiveCompletion; i++)
            {
                var reply = await CommandAsync(BuildRcpt(recipients[i]), _options.RcptTimeout, "waiting for the RCPT TO reply", cancellationToken).ConfigureAwait(false);
                RecordRcpt(i, reply, recipients, results, accepted);
            }
        }

        if (!mail.IsPositiveCompletion)
        {
            Fill(results, Enumerable.Range(0, recipients.Count), mail, $"MAIL FROM refused by {RemoteMta}", FailureScope.Message, recipients);
            // No transaction was opened, and a pipelined DATA was refused (or ended above): nothing to reset.
            if (data is not null) _needsReset = false;
            return;
        }
        if (accepted.Count == 0)
            return; // MAIL was accepted: the next transaction starts with RSET (pipelined, so free)

        data ??= await CommandAsync("DATA", _options.DataInitTimeout, "sending DATA", cancellationToken).ConfigureAwait(false);
        if (data.Code != 354)
        {
            Fill(results, accepted, data, $"DATA refused by {RemoteMta}", FailureScope.Message, recipients);
            return;
        }

        await SendContentAsync(message, cancellationToken).ConfigureAwait(false);

        if (_options.Lmtp)
        {
            // RFC 2033 §4.2: one reply per accepted recipient, in RCPT order.
            foreach (var index in accepted)
            {
                var reply = await ReadReplyAsync(_options.DataEndTimeout, "waiting for the end-of-data reply", cancellationToken).ConfigureAwait(false);
                Fill(results, new[] { index }, reply, $"delivery refused by {RemoteMta}", FailureScope.Recipient, recipients);
            }
        }
        else
        {
            var end = await ReadReplyAsync(_options.DataEndTimeout, "waiting for the end-of-data reply", cancellationToken).ConfigureAwait(false);
            Fill(results, accepted, end, $"message refused by {RemoteMta}", FailureScope.Message, recipients);
        }
        _needsReset = false;
    }

    /// <summary>Throws (and retires the connection) unless RSET was accepted: the replies to the rest of a pipelined
    /// group are then still unread, so the connection cannot be used again.</summary>
    private void EnsureReset(SmtpReply rset)
    {
        if (rset.IsPositiveCompletion) return;
        IsUsable = false;
        throw new SmtpSessionException(false, rset.Status(), $"RSET refused by {RemoteMta}: {rset}", rset);
    }

    private async Task SendContentAsync(Stream message, CancellationToken cancellationToken)
    {
        // Core's encoder also stuffs a dot after a bare LF, so a lax next hop can never read "\n.\r\n" as the end.
        var stuffer = new Postbote.Core.Smtp.DataEncoder();
        var input = ArrayPool<byte>.Shared.Rent(_options.DataBufferSize);
        var output = new ArrayBufferWriter<byte>(2 * _options.DataBufferSize + 5);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await message.ReadAsync(input.AsMemory(0, _options.DataBufferSize), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    // A local read error mid-DATA leaves the transaction half sent: drop the session rather than send a truncated message.
                    IsUsable = false;
                    throw new SmtpSessionException(false, "4.3.0", $"error reading the queued message: {ex.Message}", inner: ex);
                }
                if (read == 0)
                    break;
                stuffer.Encode(input.AsSpan(0, read), output);
                // Written once a buffer's worth has gathered: a small message and its end of data go in one send.
                if (output.WrittenCount >= _options.DataBufferSize)
                {
                    await WriteRawAsync(output.WrittenMemory, _options.DataBlockTimeout, "sending the message content", cancellationToken).ConfigureAwait(false);
                    output.ResetWrittenCount();
                }
            }
            stuffer.Complete(output);
            await WriteRawAsync(output.WrittenMemory, _options.DataBlockTimeout, "sending the end of data", cancellationToken).ConfigureAwait(false);
            await GuardAsync(async token =>
            {
                await _stream.FlushAsync(token).ConfigureAwait(false);
                return 0;
            }, _options.DataBlockTimeout, "sending the end of data", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    private void RecordRcpt(int index, SmtpReply reply, IReadOnlyList<DeliveryRecipient> recipients, RecipientResult?[] results, List<int> accepted)
    {
        if (reply.IsPositiveCompletion)
            accepted.Add(index);
        else
            Fill(results, new[] { index }, reply, $"recipient refused by {RemoteMta}", FailureScope.Recipient, recipients);
    }

    private void Fill(RecipientResult?[] results, IEnumerable<int> indexes, SmtpReply reply, string what, FailureScope scope, IReadOnlyList<DeliveryRecipient> recipients)
    {
        foreach (var i in indexes)
        {
            var address = recipients[i].Address;
            if (reply.IsPositiveCompletion)
            {
                var action = _options.Lmtp ? DeliveryAction.Delivered : Capabilities.Dsn ? DeliveryAction.Expanded : DeliveryAction.Relayed;
                results[i] = new RecipientResult(address, action, reply.Status(), reply.ToString(), RemoteMta, FailureScope.None) { Tls = Security };
            }
            else if (reply.IsPermanentNegative)
                results[i] = new RecipientResult(address, DeliveryAction.Failed, reply.Status(), $"{what}: {reply}", RemoteMta, scope) { Tls = Security };
            else
                // A 421 closes the session (RFC 5321 3.8): a session failure, which the agent may retry on a fresh connection.
                results[i] = new RecipientResult(address, DeliveryAction.Delayed, reply.IsTransientNegative ? reply.Status() : "4.5.0", $"{what}: {reply}", RemoteMta,
                    reply.Code == 421 ? FailureScope.Session : scope) { Tls = Security };
        }
    }

    private IReadOnlyList<RecipientResult> FillAll(RecipientResult?[] results, IReadOnlyList<DeliveryRecipient> recipients,
        Func<string, string, string, string?, FailureScope, RecipientResult> make, string status, string diagnostic, FailureScope scope)
    {
        // Only recipients still without an outcome: one already refused (or answered, in LMTP) keeps its result.
        for (var i = 0; i < results.Length; i++)
            results[i] ??= make(recipients[i].Address, status, diagnostic, RemoteMta, scope) with { Tls = Security };
        return results!;
    }

    private string BuildMail(DeliveryRequest request)
    {
        var sb = new StringBuilder("MAIL FROM:<").Append(request.ReversePath).Append('>');
        if (Capabilities.Size)
            sb.Append(" SIZE=").Append(request.Size);
        if (request.Body == BodyType.EightBitMime && Capabilities.EightBitMime)
            sb.Append(" BODY=8BITMIME");
        if (request.SmtpUtf8 && Capabilities.SmtpUtf8)
            sb.Append(" SMTPUTF8");
        if (Capabilities.Dsn)
        {
            if (request.Return != DsnReturn.Unspecified)
                sb.Append(" RET=").Append(request.Return == DsnReturn.Full ? "FULL" : "HDRS");
            if (request.EnvelopeId is { Length: > 0 } envid)
                sb.Append(" ENVID=").Append(Postbote.Core.Smtp.XText.Encode(envid));
        }
        return sb.ToString();
    }

    private string BuildRcpt(DeliveryRecipient recipient)
    {
        var sb = new StringBuilder("RCPT TO:<").Append(recipient.Address).Append('>');
        if (Capabilities.Dsn)
        {
            if (recipient.Notify != DsnNotify.None)
            {
                var notify = recipient.Notify.HasFlag(DsnNotify.Never)
                    ? "NEVER"
                    : string.Join(",", new[] { (DsnNotify.Success, "SUCCESS"), (DsnNotify.Failure, "FAILURE"), (DsnNotify.Delay, "DELAY") }
                        .Where(p => recipient.Notify.HasFlag(p.Item1)).Select(p => p.Item2));
                sb.Append(" NOTIFY=").Append(notify);
            }
            if (recipient.OriginalRecipient is { } orcpt)
            {
                var semicolon = orcpt.IndexOf(';');
                var (type, address) = semicolon > 0 ? (orcpt[..semicolon], orcpt[(semicolon + 1)..]) : ("rfc822", orcpt);
                sb.Append(" ORCPT=").Append(type).Append(';').Append(Postbote.Core.Smtp.XText.Encode(address));
            }
        }
        return sb.ToString();
    }
}
