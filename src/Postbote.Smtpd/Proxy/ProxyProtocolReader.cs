using System.IO.Pipelines;

namespace Postbote.Smtpd.Proxy;

/// <summary>
/// Reads the PROXY header that starts a connection from a load balancer, before the greeting, under the
/// listener's timeout and size bound. Only the header's bytes are consumed; what follows is left for SMTP.
/// </summary>
public static class ProxyProtocolReader
{
    /// <summary>The header, or null with <paramref name="failure"/> set ("malformed", "timeout", "closed").</summary>
    public static async Task<(ProxyHeader? Header, string? Failure)> ReadAsync(PipeReader reader, ProxyProtocolSettings settings, TimeProvider time, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var timer = time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), timeout, settings.Timeout, Timeout.InfiniteTimeSpan);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (null, stopping.IsCancellationRequested ? "shutdown" : "timeout");
            }
            var buffer = result.Buffer;
            var status = ProxyHeaderParser.TryParse(buffer, settings.MaxHeaderBytes, out var header);
            if (status == ProxyParseStatus.Complete)
            {
                reader.AdvanceTo(buffer.GetPosition(header!.Length));
                return (header, null);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (status == ProxyParseStatus.Malformed) return (null, "malformed header");
            if (result.IsCompleted || result.IsCanceled) return (null, "connection closed in the header");
        }
    }
}
