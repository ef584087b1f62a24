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
    public static async Task<string> EnqueueAsync(Spool spool, string hostname, string sender, IReadOnlyList<string> recipients,
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
            Recipients = recipients.Select(r => new QueuedRecipient { Address = r }).ToList(),
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
