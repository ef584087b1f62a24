using System.Buffers;
using System.Globalization;
using Postbote.Core.Envelope;
using Postbote.Queue;

namespace Postbote.Admin;

/// <summary>
/// Queues a message submitted by a local program (sendmail(8)) with protocol LOCAL: through the server's
/// submit socket, or straight into the spool when the server is stopped. The trace field names the local
/// user as Postfix's does: <c>Received: by HOST (Postbote, from userid 33 www-data) id ID; DATE</c>.
/// The message bytes must already have CRLF line ends.
/// </summary>
public static class LocalSubmission
{
    /// <summary>
    /// Resolves local recipients to their final mailboxes (aliases, plus-addressing, catch-all) as the SMTP accept
    /// path does, so a local submission to an alias reaches its targets; other recipients stay as given.
    /// </summary>
    public static async Task<IReadOnlyList<QueuedRecipient>> ExpandAsync(IReadOnlyList<string> recipients,
        Postbote.Configuration.ResolvedConfiguration config, Postbote.Directory.IMailDirectory directory, CancellationToken ct)
    {
        var validator = new Postbote.Smtpd.DirectoryRecipientValidator(directory);
        var list = new List<QueuedRecipient>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in recipients)
        {
            IReadOnlyList<string> targets = new[] { r };
            if (Postbote.Core.Addressing.MailboxParser.TryParseMailbox(r, allowUtf8: true, out var mailbox) && mailbox is not null && !mailbox.IsAddressLiteral
                && (config.Server.IsLocalDomain(mailbox.AsciiDomain) || await directory.IsLocalDomainAsync(mailbox.AsciiDomain, ct).ConfigureAwait(false)))
            {
                var resolved = await validator.ResolveLocalRecipientAsync(mailbox, ct).ConfigureAwait(false);
                if (resolved.Refusal is null) targets = resolved.Mailboxes;
            }
            foreach (var t in targets)
                if (seen.Add(t)) list.Add(new QueuedRecipient { Address = t, OriginalAddress = string.Equals(t, r, StringComparison.OrdinalIgnoreCase) ? null : r });
        }
        return list;
    }

    public static async Task<string> EnqueueAsync(Spool spool, string hostname, string sender, IReadOnlyList<QueuedRecipient> recipients,
        ReadOnlyMemory<byte> message, uint uid, string userName, DateTimeOffset now, CancellationToken ct)
    {
        var id = spool.NewQueueId();
        var received = $"Received: by {hostname} (Postbote, from userid {uid} {Sanitize(userName)})\r\n\tid {id}; "
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
            NextAttempt = now,
            Recipients = recipients.ToList(),
        };
        await using var incoming = spool.BeginMessage(id);
        var writer = (IBufferWriter<byte>)incoming;
        writer.Write(System.Text.Encoding.ASCII.GetBytes(received).AsSpan());
        writer.Write(message.Span);
        await spool.CommitAsync(incoming, envelope, ct).ConfigureAwait(false);
        return id;
    }

    private static string Sanitize(string text) => new(text.Select(c => c < 32 || c == 127 || c is '(' or ')' ? '?' : c).ToArray());
}
