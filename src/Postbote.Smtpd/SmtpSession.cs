using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd;

/// <summary>
/// One SMTP connection: reads commands from the transport, answers them in order, and flushes the replies
/// when the client's input is drained (RFC 2920 pipelining, EXAMPLES.md pattern 3). Per-verb handlers live in
/// partial files (Commands, Data, Tls, Auth). Expected rejections are reply values; only framing failures and
/// I/O end the connection.
/// </summary>
public sealed partial class SmtpSession
{
    private enum Mode { Command, Data, Bdat, AuthResponse }
    private enum Next { Continue, Close, StartTls, Flush }

    private readonly SmtpServices _services;
    private readonly SmtpServerOptions _options;
    private readonly SmtpdLimits _limits;
    private readonly SmtpListener _listener;
    private readonly ILogger _log;
    private readonly CancellationToken _stopping;
    private readonly IDuplexPipe _transport;
    private PipeReader _reader;
    private PipeWriter _writer;
    private SslStream? _tls;
    private Mode _mode = Mode.Command;
    private bool _discardingLongLine;
    private int _errors;
    private volatile bool _stopRequested;
    private readonly CancellationTokenSource _readTimeout;
    private CancellationTokenSource _writeTimeout;
    private readonly Action? _abort;
    private readonly long _sessionStart;

    /// <param name="abort">Drops the connection at once (Kestrel's <c>ConnectionContext.Abort</c>): after a write
    /// timeout nothing more can be said to the client, and the transport must not wait for it to read.</param>
    public SmtpSession(IDuplexPipe transport, IPEndPoint remote, SmtpListener listener, SmtpServices services, CancellationToken stopping, Action? abort = null)
    {
        _abort = abort;
        _transport = transport;
        _reader = transport.Input;
        _writer = transport.Output;
        Remote = remote;
        _listener = listener;
        _services = services;
        _options = services.Options;
        _limits = _options.Limits;
        _stopping = stopping;
        _log = services.LoggerFactory.CreateLogger("Postbote.Smtpd");
        _readTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, services.Time);
        _writeTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, services.Time);
        _sessionStart = services.Time.GetTimestamp();
        ClientAddress = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
    }

    public IPEndPoint Remote { get; }
    public IPAddress ClientAddress { get; }
    public bool IsTls => _tls is not null;

    /// <summary>Runs the session until QUIT, an error, a timeout or shutdown. Never throws for client behaviour.</summary>
    public async Task RunAsync()
    {
        using var ended = CountSession();
        if (!_services.Connections.TryAcquire(ClientAddress, _limits))
        {
            LogTooManyConnections(ClientAddress);
            _endReason = "connection_limit";
            await SendAndFlushAsync(SmtpReplies.TooManyConnections).ConfigureAwait(false);
            return;
        }
        using var stopRegistration = _stopping.Register(OnStopping);
        try
        {
            LogConnect(ClientAddress, _listener.Name);
            if (!await OpenSessionAsync().ConfigureAwait(false)) return; // rate limits, implicit TLS, screening, greeting
            await FilterConnectAsync().ConfigureAwait(false);
            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or ConnectionAbortedException or OperationCanceledException)
        {
            LogConnectionLost(ClientAddress, e.Message);
            _endReason = "lost";
        }
        finally
        {
            await AbortTransactionAsync().ConfigureAwait(false);
            if (_filter is not null) await _filter.DisposeAsync().ConfigureAwait(false);
            _services.Connections.Release(ClientAddress);
            _readTimeout.Dispose();
            _writeTimeout.Dispose();
            _sink.Detach();
            if (_tls is not null) await _tls.DisposeAsync().ConfigureAwait(false);
            LogDisconnect(ClientAddress, _commands, _errors);
        }
    }

    private int _commands;

    private void OnStopping()
    {
        _stopRequested = true;
        // Idle between commands: wake the read so the session can say 421 and go. A transaction in DATA finishes first.
        if (_mode == Mode.Command) _reader.CancelPendingRead();
    }

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            if (TimeLimitReached() is { } overTime)
            {
                await SendAndFlushAsync(overTime).ConfigureAwait(false);
                return;
            }
            ReadResult result;
            try
            {
                _readTimeout.CancelAfter(ReadTimeout());
                result = await _reader.ReadAsync(_readTimeout.Token).ConfigureAwait(false);
                _readTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
            }
            catch (OperationCanceledException)
            {
                var limit = TimeLimitReached();
                _endReason = limit is null ? "timeout" : "time_limit";
                if (limit is null) LogTimeout(ClientAddress, _mode.ToString());
                await SendAndFlushAsync(limit ?? SmtpReplies.Timeout(_options.Hostname)).ConfigureAwait(false);
                return;
            }
            if (result.IsCanceled || (_stopRequested && _mode == Mode.Command))
            {
                _endReason = "shutdown";
                await SendAndFlushAsync(SmtpReplies.ShuttingDown(_options.Hostname)).ConfigureAwait(false);
                return;
            }

            var buffer = result.Buffer;
            var (consumed, next) = await ProcessBufferAsync(buffer).ConfigureAwait(false);
            if (next == Next.StartTls)
            {
                // RFC 3207 §4.2 / CVE-2011-0411: whatever the client sent after STARTTLS is discarded unread.
                _reader.AdvanceTo(buffer.End);
                if (!await StartTlsAsync().ConfigureAwait(false)) return;
                continue;
            }
            // Stopped early to flush (too many replies waiting): what is left is examined again at once.
            if (next == Next.Flush) _reader.AdvanceTo(consumed);
            else _reader.AdvanceTo(consumed, buffer.End);
            await FlushRepliesAsync().ConfigureAwait(false);
            if (next == Next.Close) return;
            if (_stopRequested && _mode == Mode.Command)
            {
                _endReason = "shutdown";
                await SendAndFlushAsync(SmtpReplies.ShuttingDown(_options.Hostname)).ConfigureAwait(false);
                return;
            }
            if (result.IsCompleted && next != Next.Flush)
            {
                if (_mode != Mode.Command) LogConnectionLost(ClientAddress, $"EOF in {_mode}");
                return;
            }
        }
    }

    /// <summary>Handles everything complete in <paramref name="buffer"/>; replies are written but not flushed.</summary>
    private async ValueTask<(SequencePosition Consumed, Next Next)> ProcessBufferAsync(ReadOnlySequence<byte> buffer)
    {
        var position = buffer.Start;
        while (true)
        {
            var rest = buffer.Slice(position);
            if (_mode == Mode.Data)
            {
                position = DecodeData(rest);
                if (_decoder!.Completed)
                {
                    var next = await FinishDataAsync().ConfigureAwait(false);
                    if (next != Next.Continue) return (position, next);
                    continue;
                }
                await _sink.FlushIfFullAsync().ConfigureAwait(false);
                return (position, Next.Continue);
            }
            if (_mode == Mode.Bdat)
            {
                position = ReadChunk(rest);
                if (_bdatRemaining == 0)
                {
                    var next = await FinishChunkAsync().ConfigureAwait(false);
                    if (next != Next.Continue) return (position, next);
                    continue;
                }
                await _sink.FlushIfFullAsync().ConfigureAwait(false);
                return (position, Next.Continue);
            }

            var lf = rest.PositionOf((byte)'\n');
            int lineLimit = _limits.AuthLineLength; // the longest line any state accepts; shorter limits are checked per verb
            if (lf is null)
            {
                if (rest.Length > lineLimit)
                {
                    // No end of line in sight: drop what we have and skip to the next LF (pattern 2).
                    _discardingLongLine = true;
                    return (buffer.End, Next.Continue);
                }
                return (position, Next.Continue);
            }
            var line = rest.Slice(0, lf.Value);
            position = buffer.GetPosition(1, lf.Value);
            if (_discardingLongLine)
            {
                _discardingLongLine = false;
                if (!Reply(SmtpReplies.LineTooLong)) return (position, Next.Close);
                continue;
            }
            var result = await HandleLineAsync(line).ConfigureAwait(false);
            if (result != Next.Continue) return (position, result);
            // Back-pressure: a client that pipelines without reading gets no more answers until it reads these.
            if (_writer.CanGetUnflushedBytes && _writer.UnflushedBytes > _limits.PendingReplyBytes) return (position, Next.Flush);
        }
    }

    private async ValueTask<Next> HandleLineAsync(ReadOnlySequence<byte> line)
    {
        if (_errors >= _limits.SoftErrorLimit && _limits.ErrorSleepTime > TimeSpan.Zero) await TarpitAsync().ConfigureAwait(false);
        int length = (int)line.Length;
        if (length > 0 && line.Slice(length - 1).FirstSpan[0] == (byte)'\r') length--;
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> span;
            if (line.IsSingleSegment) span = line.FirstSpan[..length];
            else
            {
                rented = ArrayPool<byte>.Shared.Rent(length);
                line.Slice(0, length).CopyTo(rented);
                span = rented.AsSpan(0, length);
            }
            _commands++;
            if (_log.IsEnabled(LogLevel.Debug)) LogTranscriptClient(ClientAddress, Redact(span));
            if (_mode == Mode.AuthResponse) return await HandleAuthResponseAsync(span.ToArray()).ConfigureAwait(false);
            // The RFC 5321 limit counts the CRLF; AUTH lines may be longer (RFC 4954 §4).
            var verb = SmtpCommandParser.Parse(span, out var argumentBytes);
            _verb = verb;
            int limit = verb == SmtpVerb.Auth ? _limits.AuthLineLength : _limits.CommandLineLength;
            if (length + 2 > limit) return Reply(SmtpReplies.LineTooLong) ? Next.Continue : Next.Close;
            string argument = argumentBytes.IsEmpty ? "" : System.Text.Encoding.UTF8.GetString(argumentBytes);
            return await DispatchAsync(verb, argument).ConfigureAwait(false);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The transcript line for a client line: SASL data never reaches a log (RFC 4954 §9 secrets).</summary>
    private string Redact(ReadOnlySpan<byte> line)
    {
        if (_mode == Mode.AuthResponse) return "****";
        var text = System.Text.Encoding.UTF8.GetString(line);
        if (text.Length > 5 && text.StartsWith("AUTH ", StringComparison.OrdinalIgnoreCase))
        {
            int space = text.IndexOf(' ', 5);
            if (space > 0) return text[..space] + " ****";
        }
        return text;
    }

    /// <summary>Writes a reply (not flushed). Counts errors; false when the error limit is reached (421 written).</summary>
    private bool Reply(SmtpReply reply)
    {
        if (_log.IsEnabled(LogLevel.Debug)) LogTranscriptServer(ClientAddress, reply.ToString());
        _writer.Write(reply.ToBytes());
        _services.Metrics.Replied(_verb, reply);
        if (reply.Code >= 400 && !ReferenceEquals(reply, _notAnError))
        {
            _errors++;
            if (_errors >= _limits.ErrorsPerSession)
            {
                LogTooManyErrors(ClientAddress, _errors);
                _endReason = "error_limit";
                _writer.Write(SmtpReplies.TooManyErrors.ToBytes());
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Postfix's smtpd_error_sleep_time: once a session has made Limits:SoftErrorLimit errors, each command waits
    /// Limits:ErrorSleepTime before it is answered (a dictionary attack slows to one guess a second), on the
    /// injected clock and without holding a thread. Shutdown cuts the wait short.
    /// </summary>
    private async ValueTask TarpitAsync()
    {
        if (!_tarpitLogged)
        {
            _tarpitLogged = true;
            LogTarpit(ClientAddress, _errors, _limits.ErrorSleepTime.TotalSeconds);
        }
        try
        {
            await Task.Delay(_limits.ErrorSleepTime, _services.Time, _stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the command is answered at once, and the read loop then says 421.
        }
    }

    private bool _tarpitLogged;

    private async ValueTask SendAndFlushAsync(SmtpReply reply)
    {
        _writer.Write(reply.ToBytes());
        await FlushRepliesAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "tarpit: [{Client}] made {Errors} errors; each reply is delayed by {Seconds} s (Limits:SoftErrorLimit, Limits:ErrorSleepTime)")]
    private partial void LogTarpit(IPAddress client, int errors, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "[{Client}] C: {Line}")]
    private partial void LogTranscriptClient(IPAddress client, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "[{Client}] S: {Line}")]
    private partial void LogTranscriptServer(IPAddress client, string line);
}
