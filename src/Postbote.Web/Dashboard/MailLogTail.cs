using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Postbote.Web.Dashboard;

/// <summary>
/// The last lines of the server's log (the Postbote categories at Information and above: connect, queued, attempts,
/// removals, rejects, logins) for the dashboard's log page, per-message history and live tail. A logger provider
/// beside the console one. Recording a line costs one small object (the logger's state is kept and formatted only
/// when a page reads it) and a short lock; with nobody on the live tail nothing else happens.
/// </summary>
public sealed class MailLogTail : ILoggerProvider
{
    private readonly Entry?[] _ring;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long _next;
    private Channel<MailLogLine>[] _subscribers = [];

    public MailLogTail(int capacity, TimeProvider time)
    {
        _ring = new Entry?[Math.Max(0, capacity)];
        _time = time;
    }

    public int Capacity => _ring.Length;

    public ILogger CreateLogger(string categoryName) =>
        _ring.Length > 0 && categoryName.StartsWith("Postbote", StringComparison.Ordinal) ? new TailLogger(this, categoryName) : NoLogger.Instance;

    /// <summary>The last <paramref name="count"/> lines containing <paramref name="filter"/> (case-insensitive; null: all), oldest first.</summary>
    public IReadOnlyList<MailLogLine> Lines(string? filter, int count)
    {
        Entry[] snapshot;
        lock (_gate)
        {
            long first = Math.Max(0, _next - _ring.Length);
            snapshot = new Entry[_next - first];
            for (long i = first; i < _next; i++) snapshot[i - first] = _ring[i % _ring.Length]!;
        }
        var lines = new List<MailLogLine>(Math.Min(count, snapshot.Length));
        for (int i = snapshot.Length - 1; i >= 0 && lines.Count < count; i--)
        {
            var line = snapshot[i].ToLine();
            if (line.Matches(filter)) lines.Add(line);
        }
        lines.Reverse();
        return lines;
    }

    /// <summary>Lines as they are logged from now on, until the reader stops; a reader that falls 1000 lines behind loses the oldest.</summary>
    public ChannelReader<MailLogLine> Subscribe(CancellationToken stop)
    {
        var channel = Channel.CreateBounded<MailLogLine>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate) _subscribers = [.. _subscribers, channel];
        stop.Register(() =>
        {
            lock (_gate) _subscribers = _subscribers.Where(c => c != channel).ToArray();
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public int Subscribers => Volatile.Read(ref _subscribers).Length;

    private void Append(Entry entry)
    {
        Channel<MailLogLine>[] subscribers;
        lock (_gate)
        {
            entry.Sequence = _next;
            _ring[_next++ % _ring.Length] = entry;
            subscribers = _subscribers;
        }
        if (subscribers.Length == 0) return;
        var line = entry.ToLine();
        foreach (var s in subscribers) s.Writer.TryWrite(line);
    }

    public void Dispose()
    {
        lock (_gate) foreach (var s in _subscribers) s.Writer.TryComplete();
    }

    private abstract class Entry(DateTimeOffset time, LogLevel level, string category)
    {
        public long Sequence;
        private string? _text;
        protected abstract string Format();
        public MailLogLine ToLine() => new(Sequence, time, level, category, _text ??= Format());
    }

    private sealed class Entry<TState>(DateTimeOffset time, LogLevel level, string category, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter) : Entry(time, level, category)
    {
        protected override string Format()
        {
            var text = formatter(state, exception);
            return exception is null ? text : text + ": " + exception.GetType().Name + ": " + exception.Message;
        }
    }

    private sealed class TailLogger(MailLogTail tail, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Information and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            tail.Append(new Entry<TState>(tail._time.GetUtcNow(), logLevel, category, state, exception, formatter));
        }
    }

    private sealed class NoLogger : ILogger
    {
        public static readonly NoLogger Instance = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => false;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) { }
    }
}
