using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Postbote.Web.Dashboard;

namespace Postbote.Web.Tests.Dashboard;

/// <summary>The dashboard's HTML builder encodes every value; the log tail keeps the last lines of the Postbote categories.</summary>
public sealed class HtmlAndTailTests
{
    [Fact]
    public void InterpolatedValues_AreEncoded_MarkupIsNot()
    {
        string hostile = "<script>alert(1)</script>\"'&";
        var html = new Html();
        html.Add($"<td title=\"{hostile}\">{hostile}</td>{Html.Of($"<b>{hostile}</b>")}");
        var text = html.ToString();
        Assert.DoesNotContain("<script>", text);
        Assert.DoesNotContain("\"'&", text);
        Assert.StartsWith("<td title=\"&lt;script&gt;", text);
        Assert.Contains("<b>&lt;script&gt;", text);
    }

    [Fact]
    public void Tail_KeepsTheLastLines_OfPostboteCategories_AtInformationAndAbove()
    {
        var tail = new MailLogTail(3, new FakeTimeProvider());
        var mail = tail.CreateLogger("Postbote.MailLog");
        var other = tail.CreateLogger("Microsoft.AspNetCore.Hosting");
        for (int i = 1; i <= 5; i++) mail.LogInformation("Q{N}: removed", i);
        mail.LogDebug("debug line");
        other.LogWarning("not ours");
        Assert.Equal(["Q3: removed", "Q4: removed", "Q5: removed"], tail.Lines(null, 10).Select(l => l.Text));
        Assert.Equal(["Q4: removed"], tail.Lines("q4", 10).Select(l => l.Text));
        Assert.Equal(["Q5: removed"], tail.Lines(null, 1).Select(l => l.Text));
    }

    [Fact]
    public async Task Subscriber_GetsNewLines_UntilItStops()
    {
        var tail = new MailLogTail(10, new FakeTimeProvider());
        var log = tail.CreateLogger("Postbote.Smtpd");
        using var stop = new CancellationTokenSource();
        var reader = tail.Subscribe(stop.Token);
        log.LogInformation("connect from [192.0.2.1]");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal("connect from [192.0.2.1]", (await reader.ReadAsync(deadline.Token)).Text);
        stop.Cancel();
        Assert.Equal(0, tail.Subscribers);
        Assert.False(await reader.WaitToReadAsync(deadline.Token));
    }

    [Fact]
    public void ZeroCapacity_KeepsNothing()
    {
        var tail = new MailLogTail(0, new FakeTimeProvider());
        Assert.False(tail.CreateLogger("Postbote.MailLog").IsEnabled(LogLevel.Information));
        Assert.Empty(tail.Lines(null, 10));
    }
}
