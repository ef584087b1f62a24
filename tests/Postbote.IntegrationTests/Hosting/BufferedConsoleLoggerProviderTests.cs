using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Postbote.Hosting;

namespace Postbote.IntegrationTests.Hosting;

/// <summary>The server's log output: the console logger's single-line shape, written in batches.</summary>
public sealed class BufferedConsoleLoggerProviderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 13, 39, 49, 123, TimeSpan.Zero);

    private static string Text(MemoryStream s) => Encoding.UTF8.GetString(s.ToArray());

    [Fact]
    public void Lines_have_the_console_loggers_single_line_shape_and_wait_for_the_flush_delay()
    {
        var time = new FakeTimeProvider(Now);
        var output = new MemoryStream();
        using var provider = new BufferedConsoleLoggerProvider(output, systemd: false, time);
        var log = provider.CreateLogger("Postbote.MailLog");

        log.Log(LogLevel.Information, new EventId(100), "4F3K2Q1ZABCD: to=<bob@example.net>, status=sent (250 2.0.0 Ok)", null, (s, _) => s);
        log.Log(LogLevel.Warning, new EventId(7), "second", null, (s, _) => s);
        Assert.Equal(0, output.Length); // buffered, not yet written

        time.Advance(BufferedConsoleLoggerProvider.FlushDelay);
        Assert.Equal(
            "2026-11-28T13:39:49.123 info: Postbote.MailLog[100] 4F3K2Q1ZABCD: to=<bob@example.net>, status=sent (250 2.0.0 Ok)\n" +
            "2026-11-28T13:39:49.123 warn: Postbote.MailLog[7] second\n", Text(output));
    }

    [Fact]
    public void Disposing_writes_what_is_buffered()
    {
        var output = new MemoryStream();
        var provider = new BufferedConsoleLoggerProvider(output, systemd: false, new FakeTimeProvider(Now));
        provider.CreateLogger("c").Log(LogLevel.Error, new EventId(1), "last words", null, (s, _) => s);
        provider.Dispose();
        Assert.Equal("2026-11-28T13:39:49.123 fail: c[1] last words\n", Text(output));
    }

    [Fact]
    public void Under_systemd_lines_carry_a_syslog_priority_and_no_timestamp()
    {
        var output = new MemoryStream();
        using (var provider = new BufferedConsoleLoggerProvider(output, systemd: true, new FakeTimeProvider(Now)))
        {
            var log = provider.CreateLogger("Postbote");
            log.Log(LogLevel.Information, new EventId(0), "ready", null, (s, _) => s);
            log.Log(LogLevel.Warning, new EventId(0), "careful", null, (s, _) => s);
            log.Log(LogLevel.Critical, new EventId(0), "down", null, (s, _) => s);
        }
        Assert.Equal("<6>Postbote[0] ready\n<4>Postbote[0] careful\n<2>Postbote[0] down\n", Text(output));
    }

    [Fact]
    public void A_message_or_exception_with_line_breaks_stays_one_line()
    {
        var output = new MemoryStream();
        using (var provider = new BufferedConsoleLoggerProvider(output, systemd: false, new FakeTimeProvider(Now)))
        {
            // A client-controlled string in a log line must not forge a second line.
            provider.CreateLogger("c").Log(LogLevel.Information, new EventId(2), "helo=evil\r\n2026-11-28T00:00:00.000 info: forged", new InvalidOperationException("a\nb"), (s, _) => s);
        }
        var text = Text(output);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.Contains("helo=evil 2026-11-28T00:00:00.000 info: forged System.InvalidOperationException: a b", text);
    }

    [Fact]
    public void A_full_buffer_is_written_at_once_without_waiting_for_the_timer()
    {
        var output = new MemoryStream();
        using var provider = new BufferedConsoleLoggerProvider(output, systemd: false, new FakeTimeProvider(Now));
        var log = provider.CreateLogger("c");
        var line = new string('x', 1000);
        for (int i = 0; i < BufferedConsoleLoggerProvider.FlushThresholdChars / 1000 + 1; i++)
            log.Log(LogLevel.Information, new EventId(3), line, null, (s, _) => s);
        Assert.True(output.Length >= BufferedConsoleLoggerProvider.FlushThresholdChars, $"only {output.Length} bytes written");
    }

    [Fact]
    public void Concurrent_writers_lose_no_line_and_tear_none()
    {
        var output = new MemoryStream();
        var provider = new BufferedConsoleLoggerProvider(output, systemd: false, TimeProvider.System);
        var log = provider.CreateLogger("c");
        Parallel.For(0, 8, t =>
        {
            for (int i = 0; i < 2000; i++) log.Log(LogLevel.Information, new EventId(4), $"thread {t} line {i} end", null, (s, _) => s);
        });
        provider.Dispose();
        var lines = Text(output).TrimEnd('\n').Split('\n');
        Assert.Equal(16000, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^\S+ info: c\[4\] thread \d line \d+ end$", l));
    }
}
