using System.Buffers;
using Postbote.MailAuth.Dkim;
using Postbote.Queue;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// Writes the message the filters changed into a new spool file of the same queue id: unchanged header fields are
/// copied byte for byte, changed and added ones written, then the stored body (copied from the original file) or
/// the replacement. The original stays whole until the new file is committed in its place.
/// </summary>
public static class MessageRewriter
{
    public static async ValueTask<IncomingMessage> WriteAsync(Spool spool, IncomingMessage original, FilteredMessage message,
        DkimMessageCapture? dkim, CancellationToken ct)
    {
        var next = spool.BeginReplacement(original);
        try
        {
            if (dkim is not null) next.CaptureForDkim(dkim);
            IBufferWriter<byte> writer = next;
            foreach (var field in message.Headers) field.WriteTo(writer);
            if (message.ReplacementBody is { } body)
            {
                // A body needs the empty line before it, even where the original had none.
                if (message.Separator.Length > 0) writer.Write(message.Separator.Span);
                else if (body.Length > 0) writer.Write("\r\n"u8);
                writer.Write(body);
            }
            else
            {
                writer.Write(message.Separator.Span);
                long offset = message.BodyOffset;
                while (offset < message.StoredLength)
                {
                    var span = next.GetMemory(64 * 1024);
                    int want = (int)Math.Min(span.Length, message.StoredLength - offset);
                    int n = await original.ReadWrittenAsync(offset, span[..want], ct).ConfigureAwait(false);
                    if (n <= 0) throw new IOException("spool file shorter than written");
                    next.Advance(n);
                    offset += n;
                    await next.FlushIfFullAsync(ct).ConfigureAwait(false);
                }
            }
            return next;
        }
        catch
        {
            await next.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
