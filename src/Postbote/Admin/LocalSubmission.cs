using System.Buffers;
using System.Globalization;
using Postbote.Configuration;
using Postbote.Core.Addressing;
using Postbote.Core.Envelope;
using Postbote.Core.Smtp;
using Postbote.Directory;
using Postbote.MailAuth.Dkim;
using Postbote.Queue;
using Postbote.Smtpd;

namespace Postbote.Admin;

/// <summary>
/// Queues a message submitted by a local program (sendmail(8)) with protocol LOCAL: through the server's
/// submit socket, or straight into the spool when the server is stopped. Both ways go through <see cref="SubmitAsync"/>,
/// which holds every check: the RFC 5321 path grammar for each envelope address, unknown local users refused as on
/// port 25, and for a caller other than root the sender binding of the submission port (<see cref="SenderBinding"/>).
/// The trace field names the local user as Postfix's does: <c>Received: by HOST (Postbote, from userid 33 www-data) id ID; DATE</c>.
/// The message bytes must already have CRLF line ends; they are streamed into the spool, never held whole.
/// </summary>
public static class LocalSubmission
{
    private const int ReadSize = 64 * 1024;

    /// <summary>Checks and queues a local submission; returns the queue id.</summary>
    /// <param name="dkim">The server's signer; without one (the server is stopped) the keys are read from the data directory.</param>
    /// <exception cref="LocalSubmissionRefusedException">The submission is refused (the message says why, as an SMTP reply).</exception>
    public static async Task<string> SubmitAsync(Spool spool, ResolvedConfiguration config, IMailDirectory directory, string sender,
        IReadOnlyList<string> recipients, Stream message, uint uid, DateTimeOffset now, CancellationToken ct, DkimSigner? dkim = null)
    {
        if (!EnvelopeAddressGuard.IsValidReversePath(sender)) throw LocalSubmissionRefusedException.Of(SmtpReplies.BadSenderSyntax);
        if (recipients.Count == 0) throw LocalSubmissionRefusedException.Of(SmtpReplies.NeedRcptFirst);
        foreach (var r in recipients)
            if (!EnvelopeAddressGuard.IsValidMailbox(r)) throw LocalSubmissionRefusedException.Of(SmtpReplies.BadRecipientSyntax);
        string login = PeerCredentials.LookupUserName(uid);
        Func<string, CancellationToken, ValueTask<bool>>? owns = uid == 0 || !config.Server.CheckFromHeader ? null
            : (address, token) => SenderBinding.LocalLoginOwnsAsync(login, address, (d, t) => IsLocalDomainAsync(config, directory, d, t), token);
        if (owns is not null && !await owns(sender, ct).ConfigureAwait(false))
            throw LocalSubmissionRefusedException.Of(SmtpReplies.SenderNotOwned, $"uid {uid} {login}");
        var expanded = await ExpandAsync(recipients, config, directory, ct).ConfigureAwait(false);
        dkim ??= Hosting.DkimComposition.Create(config, TimeProvider.System);
        return await EnqueueAsync(spool, config, sender, expanded, message, uid, login, now, owns, dkim, ct).ConfigureAwait(false);
    }

    private static async ValueTask<bool> IsLocalDomainAsync(ResolvedConfiguration config, IMailDirectory directory, string domain, CancellationToken ct) =>
        string.Equals(domain, config.Server.Hostname, StringComparison.OrdinalIgnoreCase) || config.Server.IsLocalDomain(domain)
        || await directory.IsLocalDomainAsync(domain.ToLowerInvariant(), ct).ConfigureAwait(false);

    /// <summary>
    /// Resolves local recipients to their final mailboxes (aliases, plus-addressing, catch-all) as the SMTP accept
    /// path does, so a local submission to an alias reaches its targets; other recipients stay as given. An unknown
    /// local recipient is refused (550 5.1.1), as RCPT TO on port 25 refuses it.
    /// </summary>
    public static async Task<IReadOnlyList<QueuedRecipient>> ExpandAsync(IReadOnlyList<string> recipients,
        ResolvedConfiguration config, IMailDirectory directory, CancellationToken ct)
    {
        var validator = new DirectoryRecipientValidator(directory);
        var list = new List<QueuedRecipient>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in recipients)
        {
            IReadOnlyList<string> targets = new[] { r };
            if (MailboxParser.TryParseMailbox(r, allowUtf8: true, out var mailbox) && mailbox is not null && !mailbox.IsAddressLiteral
                && (config.Server.IsLocalDomain(mailbox.AsciiDomain) || await directory.IsLocalDomainAsync(mailbox.AsciiDomain, ct).ConfigureAwait(false)))
            {
                var resolved = await validator.ResolveLocalRecipientAsync(mailbox, ct).ConfigureAwait(false);
                if (resolved.Refusal is { } refusal) throw LocalSubmissionRefusedException.Of(refusal, "<" + r + ">");
                targets = resolved.Mailboxes;
            }
            foreach (var t in targets)
                if (seen.Add(t)) list.Add(new QueuedRecipient { Address = t, OriginalAddress = string.Equals(t, r, StringComparison.OrdinalIgnoreCase) ? null : r });
        }
        return list;
    }

    private static async Task<string> EnqueueAsync(Spool spool, ResolvedConfiguration config, string sender, IReadOnlyList<QueuedRecipient> recipients,
        Stream message, uint uid, string userName, DateTimeOffset now, Func<string, CancellationToken, ValueTask<bool>>? owns, DkimSigner dkim, CancellationToken ct)
    {
        var id = spool.NewQueueId();
        var received = $"Received: by {config.Server.Hostname} (Postbote, from userid {uid} {Sanitize(userName)})\r\n\tid {id}; "
            + now.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture)
            + now.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "") + "\r\n";
        var envelope = new QueuedMessage
        {
            ArrivalTime = now,
            ReversePath = sender,
            Body = BodyType.EightBitMime,
            Protocol = "LOCAL",
            ClientAddress = "127.0.0.1",
            HeloName = "localhost",
            Listener = "sendmail",
            AcceptedBy = config.Server.NodeName ?? config.Server.Hostname,
            NextAttempt = now,
            Recipients = recipients.ToList(),
        };
        await using var incoming = spool.BeginMessage(id);
        if (dkim.BeginCapture() is { } capture) incoming.CaptureForDkim(capture);
        ((IBufferWriter<byte>)incoming).Write(System.Text.Encoding.ASCII.GetBytes(received).AsSpan());
        long limit = config.Server.Limits.MessageSizeBytes, size = 0;
        while (true)
        {
            var buffer = incoming.GetMemory(ReadSize);
            int n = await message.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0) break;
            if ((size += n) > limit) throw LocalSubmissionRefusedException.Of(SmtpReplies.MessageTooBig);
            incoming.Advance(n);
            await incoming.FlushIfFullAsync(ct).ConfigureAwait(false);
        }
        if (owns is not null)
        {
            var (outcome, address) = await SenderBinding.CheckAsync(incoming.Headers, owns, ct).ConfigureAwait(false);
            if (SenderBinding.ReplyFor(outcome) is { } refusal)
                throw LocalSubmissionRefusedException.Of(refusal, address is null ? null : $"<{address}>, uid {uid} {userName}");
        }
        // Signed like mail from an authenticated client (the From: domain's key, if any); the file stays as given.
        if (incoming.Dkim is { } dkimCapture && !incoming.Headers.EndedByNonFieldLine)
            envelope.PrependHeaders.AddRange(dkim.Sign(dkimCapture, [], id));
        await spool.CommitAsync(incoming, envelope, ct).ConfigureAwait(false);
        return id;
    }

    private static string Sanitize(string text) => new(text.Select(c => c < 32 || c == 127 || c is '(' or ')' ? '?' : c).ToArray());
}
