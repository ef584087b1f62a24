using System.Buffers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Postbote.Delivery.Smtp;

public sealed partial class SmtpClientConnection
{
    private readonly ArrayBufferWriter<byte> _outgoing = new(1024);

    /// <summary>Appends a command line (CRLF added) to the output buffer without sending it.</summary>
    /// <remarks>
    /// A command with CR, LF or NUL is never written (defence in depth behind the spool's envelope guard): those bytes
    /// would end the line early and smuggle commands into the session (RFC 5321 §2.3.8, §4.1.1). The failure is
    /// permanent (5.6.0): the text comes from the stored envelope, which no retry changes, so waiting out the queue
    /// lifetime would only delay the same bounce. The connection is not reused, as commands queued before may be pending.
    /// </remarks>
    private void QueueCommand(string command, bool secret = false)
    {
        if (command.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            _outgoing.Clear();
            IsUsable = false;
            throw new SmtpSessionException(true, "5.6.0", $"refused to send a command line to {RemoteMta} containing CR, LF or NUL (corrupt envelope)");
        }
        _logger?.LogDebug("{Remote} > {Command}", RemoteMta, secret ? RedactAuth(command) : command);
        var count = Encoding.UTF8.GetByteCount(command);
        var span = _outgoing.GetSpan(count + 2);
        Encoding.UTF8.GetBytes(command, span);
        span[count] = (byte)'\r';
        span[count + 1] = (byte)'\n';
        _outgoing.Advance(count + 2);
    }

    /// <summary>Sends every queued command in one write.</summary>
    private async Task FlushAsync(TimeSpan timeout, string stage, CancellationToken cancellationToken)
    {
        if (_outgoing.WrittenCount == 0)
            return;
        await GuardAsync(async token =>
        {
            await _stream.WriteAsync(_outgoing.WrittenMemory, token).ConfigureAwait(false);
            await _stream.FlushAsync(token).ConfigureAwait(false);
            return 0;
        }, timeout, stage, cancellationToken).ConfigureAwait(false);
        _outgoing.Clear();
    }

    /// <summary>Writes raw bytes (DATA content) within <paramref name="timeout"/>.</summary>
    private Task WriteRawAsync(ReadOnlyMemory<byte> bytes, TimeSpan timeout, string stage, CancellationToken cancellationToken)
        => GuardAsync(async token =>
        {
            await _stream.WriteAsync(bytes, token).ConfigureAwait(false);
            return 0;
        }, timeout, stage, cancellationToken);

    /// <summary>Sends one command and reads its reply.</summary>
    private async Task<SmtpReply> CommandAsync(string command, TimeSpan timeout, string stage, CancellationToken cancellationToken, bool secret = false)
    {
        QueueCommand(command, secret);
        await FlushAsync(timeout, stage, cancellationToken).ConfigureAwait(false);
        return await ReadReplyAsync(timeout, stage, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one (possibly multiline) reply within <paramref name="timeout"/>.</summary>
    private Task<SmtpReply> ReadReplyAsync(TimeSpan timeout, string stage, CancellationToken cancellationToken)
        => GuardAsync(async token =>
        {
            var lines = new List<string>();
            var code = 0;
            while (true)
            {
                var line = await _reader.ReadLineAsync(token).ConfigureAwait(false);
                if (!SmtpReply.TryParseLine(line.Span, out var lineCode, out var isLast, out var text) || (code != 0 && lineCode != code))
                {
                    throw new SmtpSessionException(false, "4.5.0",
                        $"protocol error: malformed reply from {RemoteMta} after {stage}: \"{Encoding.UTF8.GetString(line.Span)}\"");
                }
                code = lineCode;
                lines.Add(text);
                if (isLast)
                    break;
                if (lines.Count >= _options.MaxReplyLines)
                    throw new SmtpSessionException(false, "4.5.0", $"protocol error: reply from {RemoteMta} after {stage} has too many lines");
            }
            var reply = new SmtpReply(code, lines);
            _logger?.LogDebug("{Remote} < {Reply}", RemoteMta, reply);
            // RFC 5321 3.8: 421 means the server is closing the transmission channel, whatever command it answers.
            if (code == 421) IsUsable = false;
            return reply;
        }, timeout, stage, cancellationToken);

    /// <summary>
    /// Runs an I/O operation under a timeout read from the injected clock, turning timeouts and I/O errors into
    /// <see cref="SmtpSessionException"/> and marking the connection unusable.
    /// </summary>
    /// <remarks>
    /// One cancellation source serves every operation of the connection (they run one at a time): re-armed with
    /// CancelAfter and reset after each, instead of a new timer and a linked source per reply, which were a
    /// measurable share of the client's cost at thousands of messages a second.
    /// </remarks>
    private async Task<T> GuardAsync<T>(Func<CancellationToken, Task<T>> operation, TimeSpan timeout, string stage, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            // Mid-transaction the connection's state is unknown from here on: never reuse it, never QUIT into it.
            IsUsable = false;
            cancellationToken.ThrowIfCancellationRequested();
        }
        if (!_timeouts.TryReset())
        {
            // Cancelled by an earlier timeout: a cancelled source cannot be re-armed.
            _timeouts.Dispose();
            _timeouts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        }
        var source = _timeouts;
        source.CancelAfter(timeout);
        using var outer = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source);
        try
        {
            return await operation(source.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            IsUsable = false;
            throw new SmtpSessionException(false, "4.4.2", $"conversation with {RemoteMta} timed out while {stage}");
        }
        catch (OperationCanceledException)
        {
            IsUsable = false;
            throw;
        }
        catch (SmtpSessionException)
        {
            IsUsable = false;
            throw;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidDataException or AuthenticationException)
        {
            IsUsable = false;
            throw new SmtpSessionException(false, "4.4.2", $"lost connection with {RemoteMta} while {stage}: {ex.Message}", inner: ex);
        }
        finally
        {
            source.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    private static string RedactAuth(string command)
    {
        // "AUTH PLAIN <secret>" and bare base64 responses: keep the verb and mechanism only.
        if (command.StartsWith("AUTH ", StringComparison.OrdinalIgnoreCase))
        {
            var parts = command.Split(' ', 3);
            return parts.Length > 2 ? $"{parts[0]} {parts[1]} <redacted>" : command;
        }
        return "<redacted>";
    }
}
