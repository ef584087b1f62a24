using System.Buffers;
using System.Net;
using Postbote.Queue;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// The message as the filters have left it, as an HTTP request body: its header fields, then the body streamed from
/// the spool file (or the replacement), never the whole message in memory. Its length is known in advance.
/// </summary>
internal sealed class FilteredMessageContent : HttpContent
{
    private readonly FilteredMessage _message;
    private readonly IncomingMessage _incoming;
    private readonly byte[] _head;

    public FilteredMessageContent(FilteredMessage message, IncomingMessage incoming)
    {
        _message = message;
        _incoming = incoming;
        var head = new ArrayBufferWriter<byte>(4096);
        foreach (var field in message.Headers) field.WriteTo(head);
        if (message.Separator.Length > 0) head.Write(message.Separator.Span);
        else if (message.ReplacementBody is { Length: > 0 }) head.Write("\r\n"u8);
        _head = head.WrittenSpan.ToArray();
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_head, cancellationToken).ConfigureAwait(false);
        if (_message.ReplacementBody is { } body)
        {
            await stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long offset = _message.BodyOffset;
            while (offset < _message.StoredLength)
            {
                int want = (int)Math.Min(buffer.Length, _message.StoredLength - offset);
                int n = await _incoming.ReadWrittenAsync(offset, buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (n <= 0) throw new IOException("spool file shorter than written");
                await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                offset += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _head.Length + _message.BodyLength;
        return true;
    }
}
