using System.Buffers;
using Postbote.Core.Smtp;
using Postbote.Queue;

namespace Postbote.Smtpd.Filters;

/// <summary>The end of a message: what the filters decided, and the message as they left it.</summary>
/// <param name="Refusal">A reply that refuses the message (reject, tempfail, reply code, a failed filter's DefaultAction).</param>
/// <param name="Discard">Acknowledge and drop it.</param>
/// <param name="Message">The filtered message (header fields, body, envelope changes); null when no filter looked at it.</param>
public sealed record EndOfMessageOutcome(SmtpReply? Refusal, bool Discard, FilteredMessage? Message);

public sealed partial class FilterSession
{
    /// <summary>
    /// Shows the message to each filter in turn (headers, end of headers, body in 65,535-octet chunks, end of
    /// message) and applies its changes before the next one sees it. A filter's changes count only once its final
    /// answer has come: one that fails half-way leaves the message as it was.
    /// </summary>
    public async ValueTask<EndOfMessageOutcome> EndOfMessageAsync(IncomingMessage incoming, IReadOnlyList<string> recipients, CancellationToken ct)
    {
        Facts.QueueId = incoming.QueueId;
        FilteredMessage? message = null;
        try
        {
            foreach (var link in _links)
            {
                if (link.Failed)
                {
                    if (FailureReply(link) is { } failed) return new(failed, false, message);
                    continue;
                }
                if (!link.Active || link.MessageAccepted) continue;
                message ??= await FilteredMessageReader.ReadAsync(incoming, ct).ConfigureAwait(false);
                SmtpReply? refusal;
                try
                {
                    refusal = await ContentAsync(link, message, incoming, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (IsFilterFailure(e))
                {
                    link.Client?.Packets.Clear();
                    Fail(link, "END-OF-MESSAGE", e);
                    refusal = FailureReply(link);
                }
                if (refusal is not null) return new(refusal, false, message);
                if (MessageDiscarded) return new(null, true, message);
            }
            if (AsksRspamd && !MessageDiscarded && _filters.Rspamd is { } rspamd)
            {
                message ??= await FilteredMessageReader.ReadAsync(incoming, ct).ConfigureAwait(false);
                if (await rspamd.CheckAsync(message, incoming, Facts, recipients, ct).ConfigureAwait(false) is { } refusal) return new(refusal, false, message);
            }
            return new(null, MessageDiscarded, message);
        }
        finally
        {
            foreach (var link in _links) link.InMessage = link.MessageAccepted = false;
        }
    }

    private async ValueTask<SmtpReply?> ContentAsync(MilterLink link, FilteredMessage message, IncomingMessage incoming, CancellationToken ct)
    {
        var client = link.Client!;
        var n = client.Negotiated;
        bool leadingSpace = n.Has(MilterSteps.HeaderLeadingSpace);
        var commandTimeout = link.Options.CommandTimeout;
        var contentTimeout = link.Options.EndOfMessageTimeout;
        if (!n.Has(MilterSteps.NoHeaders))
        {
            foreach (var header in message.Headers)
            {
                client.Packets.Start(MilterProtocol.Header).String(header.Name).String(header.ValueForFilter(leadingSpace)).End();
                if (n.Has(MilterSteps.NoReplyHeader)) continue; // gathered and sent with the next exchange
                if (await StepAsync(link, "HEADER", client.ExchangeAsync(commandTimeout, ct)).ConfigureAwait(false) is { } r) return r;
                if (link.MessageAccepted || MessageDiscarded) return null;
            }
        }
        if (!n.Has(MilterSteps.NoEndOfHeaders))
        {
            client.AddMacros(MilterProtocol.MacroStage.EndOfHeaders, Facts.MacrosFor(MilterProtocol.MacroStage.EndOfHeaders, n));
            client.Packets.Start(MilterProtocol.EndOfHeaders).End();
            if (!n.Has(MilterSteps.NoReplyEndOfHeaders))
            {
                if (await StepAsync(link, "END-OF-HEADERS", client.ExchangeAsync(commandTimeout, ct)).ConfigureAwait(false) is { } r) return r;
                if (link.MessageAccepted || MessageDiscarded) return null;
            }
        }
        if (!n.Has(MilterSteps.NoBody))
        {
            var refusal = await BodyAsync(link, message, incoming, contentTimeout, ct).ConfigureAwait(false);
            if (refusal is not null || link.MessageAccepted || MessageDiscarded) return refusal;
        }
        client.AddMacros(MilterProtocol.MacroStage.EndOfMessage, Facts.MacrosFor(MilterProtocol.MacroStage.EndOfMessage, n));
        client.Packets.Start(MilterProtocol.EndOfBody).End();
        var edits = new List<MilterPacket>();
        var reply = await client.ExchangeAsync(contentTimeout, ct).ConfigureAwait(false);
        for (int i = 0; i < 100_000 && IsModification(reply.Command); i++)
        {
            edits.Add(reply);
            reply = await client.ReadReplyAsync(contentTimeout, ct).ConfigureAwait(false);
        }
        if (reply.Command == MilterProtocol.Skip) throw new MilterProtocolException("SKIP answered to end of message");
        // The final answer is in: only now do its changes count.
        var verdict = Decide(link, "END-OF-MESSAGE", reply, messageStage: true);
        if (verdict is null && !MessageDiscarded) MilterEdits.Apply(edits, message, n, _filters.MaxMessageBytes);
        return verdict;
    }

    private async ValueTask<SmtpReply?> StepAsync(MilterLink link, string stage, ValueTask<MilterPacket> exchange)
    {
        var reply = await exchange.ConfigureAwait(false);
        if (reply.Command == MilterProtocol.Skip) throw new MilterProtocolException($"SKIP answered to {stage}");
        return Decide(link, stage, reply, messageStage: true);
    }

    /// <summary>The body, from the stored file or a replacement, in chunks; a SKIP answer ends it early (SMFIP_SKIP).</summary>
    private async ValueTask<SmtpReply?> BodyAsync(MilterLink link, FilteredMessage message, IncomingMessage incoming, TimeSpan timeout, CancellationToken ct)
    {
        var client = link.Client!;
        bool noReply = client.Negotiated.Has(MilterSteps.NoReplyBody);
        var buffer = ArrayPool<byte>.Shared.Rent(MilterProtocol.BodyChunkSize);
        try
        {
            long offset = 0, length = message.BodyLength;
            while (offset < length)
            {
                int n = (int)Math.Min(MilterProtocol.BodyChunkSize, length - offset);
                if (message.ReplacementBody is { } replaced) replaced.AsSpan((int)offset, n).CopyTo(buffer);
                else
                {
                    int read = await incoming.ReadWrittenAsync(message.BodyOffset + offset, buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    if (read <= 0) throw new IOException("spool file shorter than written");
                    n = read;
                }
                offset += n;
                client.Packets.Start(MilterProtocol.Body).Bytes(buffer.AsSpan(0, n)).End();
                if (noReply)
                {
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    deadline.CancelAfter(timeout);
                    await client.SendAsync(deadline.Token).ConfigureAwait(false);
                    continue;
                }
                var reply = await client.ExchangeAsync(timeout, ct).ConfigureAwait(false);
                if (reply.Command == MilterProtocol.Skip)
                {
                    if (!client.Negotiated.Has(MilterSteps.Skip)) throw new MilterProtocolException("SKIP without negotiating it");
                    return null;
                }
                if (Decide(link, "BODY", reply, messageStage: true) is { } refusal) return refusal;
                if (link.MessageAccepted || MessageDiscarded) return null;
            }
            return null;
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    private static bool IsModification(byte command) => command is MilterProtocol.AddHeader or MilterProtocol.InsertHeader
        or MilterProtocol.ChangeHeader or MilterProtocol.AddRecipient or MilterProtocol.AddRecipientWithArgs or MilterProtocol.DeleteRecipient
        or MilterProtocol.ChangeFrom or MilterProtocol.ReplaceBody or MilterProtocol.Quarantine;
}
