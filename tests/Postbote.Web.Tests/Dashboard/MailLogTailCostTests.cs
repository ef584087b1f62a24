using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Postbote.Web.Dashboard;
using Xunit.Abstractions;

namespace Postbote.Web.Tests.Dashboard;

/// <summary>
/// What the dashboard costs the accept path when nobody looks: its log tail keeps each line's logger state (one small
/// object) and formats it only when a page reads it. Measured on a line shaped like smtpd's "queued from=" line,
/// against the same logger factory without the tail.
/// </summary>
public sealed class MailLogTailCostTests(ITestOutputHelper output)
{
    private static readonly Action<ILogger, string, string, int, long, string, string, Exception?> Queued =
        LoggerMessage.Define<string, string, int, long, string, string>(LogLevel.Information, new EventId(1),
            "{QueueId}: queued from=<{Sender}>, nrcpt={Recipients}, size={Size}, client=[{Client}], proto={Protocol}");

    private const int Lines = 20_000;

    [Fact]
    public void RecordingALine_AllocatesOneSmallEntry_AndFormatsNothing()
    {
        using var without = LoggerFactory.Create(_ => { });
        var tail = new MailLogTail(2000, new FakeTimeProvider());
        using var with = LoggerFactory.Create(b => b.AddProvider(tail));
        ILogger plain = without.CreateLogger("Postbote.Smtpd"), tailed = with.CreateLogger("Postbote.Smtpd");

        void Round(ILogger log) { for (int i = 0; i < Lines; i++) Queued(log, "06B1Q2TM7QGY", "alice@remote.example", 1, 1234, "192.0.2.7", "ESMTP", null); }
        long bytesWithout = AllocationProbe.FewestBytes(() => Round(plain)), bytesWith = AllocationProbe.FewestBytes(() => Round(tailed));
        double perLine = (bytesWith - bytesWithout) / (double)Lines;

        double Fastest(ILogger log)
        {
            double best = double.MaxValue;
            for (int run = 0; run < 7; run++) { var sw = Stopwatch.StartNew(); Round(log); best = Math.Min(best, sw.Elapsed.TotalNanoseconds / Lines); }
            return best;
        }
        double nsWithout = Fastest(plain), nsWith = Fastest(tailed);
        output.WriteLine($"tail cost per log line: {perLine:0} bytes allocated, {nsWith - nsWithout:0} ns ({nsWithout:0} ns without, {nsWith:0} ns with)");

        // The entry (header, sequence, time, level, category, the 6-value state inline, formatter) and nothing else:
        // the formatted text alone would be ~200 bytes, so formatting at log time would fail this.
        Assert.InRange(perLine, 1, 160);
        Assert.Equal("06B1Q2TM7QGY: queued from=<alice@remote.example>, nrcpt=1, size=1234, client=[192.0.2.7], proto=ESMTP", tail.Lines(null, 1)[0].Text);
    }
}
