using Microsoft.Extensions.Logging;

namespace Postbote.Queue.Tests;

/// <summary>Keeps every log line with its category, for assertions on the mail log.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public List<(string Category, string Message)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    public string[] MailLog()
    {
        lock (Lines) return Lines.Where(l => l.Category == "Postbote.MailLog").Select(l => l.Message).ToArray();
    }

    private sealed class Logger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner.Lines) owner.Lines.Add((category, formatter(state, exception) + (exception is null ? "" : " | " + exception)));
        }
    }
}
