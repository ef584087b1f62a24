using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd;

/// <summary>
/// The session's time limits beyond the per-read timeouts (issue 11): a flush that the client does not take within
/// CommandTimeout drops the connection; the whole session has a deadline (Limits:SessionTimeout); the data of a
/// DATA or BDAT chunk must arrive at Limits:MinDataRate on average once its grace period is over (slowloris).
/// </summary>
public sealed partial class SmtpSession
{
    private long _dataPhaseStart;
    private long _dataPhaseBytes;

    /// <summary>Message data begins (354 sent, or a BDAT chunk announced): its rate is measured from now.</summary>
    private void StartDataPhase()
    {
        _dataPhaseStart = _services.Time.GetTimestamp();
        _dataPhaseBytes = 0;
    }

    private bool InDataPhase => _mode is Mode.Data or Mode.Bdat;

    /// <summary>The 421 to end with when the session's deadline or the data rate says so, else null (logged here).</summary>
    private SmtpReply? TimeLimitReached()
    {
        var time = _services.Time;
        if (_limits.SessionTimeout > TimeSpan.Zero && time.GetElapsedTime(_sessionStart) >= _limits.SessionTimeout)
        {
            LogSessionTimeLimit(ClientAddress, _limits.SessionTimeout);
            return SmtpReplies.SessionTooLong(_options.Hostname);
        }
        if (InDataPhase && _limits.MinDataRate > 0)
        {
            var elapsed = time.GetElapsedTime(_dataPhaseStart);
            if (elapsed > _limits.MinDataRateGracePeriod && _dataPhaseBytes < _limits.MinDataRate * elapsed.TotalSeconds)
            {
                LogDataTooSlow(ClientAddress, _mode.ToString(), _dataPhaseBytes, (long)elapsed.TotalSeconds);
                return SmtpReplies.DataTooSlow(_options.Hostname);
            }
        }
        return null;
    }

    /// <summary>How long the next read may wait: the state's timeout, cut to when the data rate or the session deadline would be missed.</summary>
    private TimeSpan ReadTimeout()
    {
        var wait = InDataPhase ? _limits.DataTimeout : _limits.CommandTimeout;
        var time = _services.Time;
        if (InDataPhase && _limits.MinDataRate > 0)
        {
            // The rate is missed once the elapsed time passes both the grace period and bytes / rate.
            var due = TimeSpan.FromSeconds(Math.Max(_limits.MinDataRateGracePeriod.TotalSeconds, (double)_dataPhaseBytes / _limits.MinDataRate));
            wait = Min(wait, due - time.GetElapsedTime(_dataPhaseStart) + TimeSpan.FromMilliseconds(1));
        }
        if (_limits.SessionTimeout > TimeSpan.Zero)
            wait = Min(wait, _limits.SessionTimeout - time.GetElapsedTime(_sessionStart));
        return wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// Flushes the replies written so far. A flush that cannot complete (the client does not read and the
    /// transport's buffer is full) may wait CommandTimeout; then the connection is dropped. The timer is armed only
    /// when the flush has to wait, so the usual flush costs nothing more.
    /// </summary>
    private async ValueTask FlushRepliesAsync()
    {
        long pending = _writer.CanGetUnflushedBytes ? _writer.UnflushedBytes : 0;
        var flush = _writer.FlushAsync(_writeTimeout.Token);
        if (flush.IsCompleted)
        {
            flush.GetAwaiter().GetResult();
            return;
        }
        _writeTimeout.CancelAfter(_limits.CommandTimeout);
        try
        {
            await flush.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogWriteTimeout(ClientAddress, pending);
            _abort?.Invoke();
            throw;
        }
        _writeTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
        if (_writeTimeout.IsCancellationRequested)
        {
            // It fired just as the flush completed: a fresh one for the next flush.
            _writeTimeout.Dispose();
            _writeTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _services.Time);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "timeout sending replies to [{Client}] ({Pending} octets not read), disconnecting")]
    private partial void LogWriteTimeout(System.Net.IPAddress client, long pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "session time limit ({Limit}) reached for [{Client}], disconnecting")]
    private partial void LogSessionTimeLimit(System.Net.IPAddress client, TimeSpan limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "data from [{Client}] too slow in {State}: {Octets} octets in {Seconds} s, disconnecting")]
    private partial void LogDataTooSlow(System.Net.IPAddress client, string state, long octets, long seconds);
}
