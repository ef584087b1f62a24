using System.Text;
using MimeKit;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;
using static Postbote.Queue.Tests.QueueFixture;

namespace Postbote.Queue.Tests;

public class QueueManagerDsnTests
{
    /// <summary>The raw content of the MIME part with the given content type, cut out of the DSN bytes.</summary>
    private static byte[] RawPart(byte[] dsn, string contentType, string boundary)
    {
        string text = Encoding.Latin1.GetString(dsn);
        int header = text.IndexOf("Content-Type: " + contentType, StringComparison.Ordinal);
        Assert.True(header >= 0, contentType + " part missing");
        int body = text.IndexOf("\r\n\r\n", header, StringComparison.Ordinal) + 4;
        int end = text.IndexOf("\r\n--" + boundary, body, StringComparison.Ordinal);
        return dsn[body..end];
    }

    [Fact]
    public async Task Permanent_failure_bounces_with_an_RFC3464_report_and_the_raw_original_headers()
    {
        await using var f = new QueueFixture();
        f.AddAgent("mx:example.net", FakeDeliveryAgent.Rejected());
        await f.StartAsync();

        var id = await f.EnqueueAsync(Sender, DsnReturn.Unspecified, "ENV-42", To("bob@example.net", orcpt: "rfc822;Bob@Example.net"));

        Assert.Null(f.Spool.Find(id));
        var call = f.Sink.Calls.Single();
        Assert.Equal("", call.Request.ReversePath);
        Assert.Equal([Sender], call.Request.Recipients.Select(r => r.Address));
        var dsn = MimeMessage.Load(new MemoryStream(call.Message));
        Assert.Equal("MAILER-DAEMON@mx.test", dsn.From.Mailboxes.Single().Address);
        Assert.Equal(Sender, dsn.To.Mailboxes.Single().Address);
        Assert.Equal("auto-replied", dsn.Headers["Auto-Submitted"]);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        Assert.Equal("delivery-status", report.ReportType);
        Assert.Equal(3, report.Count);
        var text = Assert.IsType<TextPart>(report[0]);
        Assert.Contains("This is the mail system at host mx.test.", text.Text);
        Assert.Contains("<bob@example.net>: 550 5.1.1", text.Text);
        var status = Assert.IsType<MessageDeliveryStatus>(report[1]);
        var perMessage = status.StatusGroups[0];
        Assert.Equal("dns; mx.test", perMessage["Reporting-MTA"]);
        Assert.Equal("ENV-42", perMessage["Original-Envelope-Id"]);
        Assert.Equal(Start, MimeKit.Utils.DateUtils.TryParse(perMessage["Arrival-Date"], out var arrival) ? arrival : default);
        var perRecipient = status.StatusGroups[1];
        Assert.Equal("rfc822; bob@example.net", perRecipient["Final-Recipient"]);
        Assert.Equal("rfc822; Bob@Example.net", perRecipient["Original-Recipient"]);
        Assert.Equal("failed", perRecipient["Action"]);
        Assert.Equal("5.1.1", perRecipient["Status"]);
        Assert.Equal("dns; mx.example.net", perRecipient["Remote-MTA"]);
        Assert.Equal("smtp; 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown", perRecipient["Diagnostic-Code"]);
        Assert.NotNull(perRecipient["Last-Attempt-Date"]);
        Assert.Equal("text/rfc822-headers", report[2].ContentType.MimeType);
        Assert.Equal(OriginalHeaders, RawPart(call.Message, "text/rfc822-headers", report.Boundary!));

        var log = f.Logs.MailLog();
        Assert.Contains(log, l => l.StartsWith($"{id}: to=<bob@example.net>, relay=mx.example.net[192.0.2.7]:25, delay=0, dsn=5.1.1, status=bounced (550 5.1.1"));
        Assert.Contains(log, l => l.StartsWith($"{id}: sender non-delivery notification: "));
    }

    [Fact]
    public async Task Ret_full_returns_the_whole_original_as_message_rfc822()
    {
        await using var f = new QueueFixture();
        f.AddAgent("mx:example.net", FakeDeliveryAgent.Rejected());
        await f.StartAsync();

        await f.EnqueueAsync(Sender, DsnReturn.Full, null, To("bob@example.net"));

        var call = f.Sink.Calls.Single();
        var report = Assert.IsType<MultipartReport>(MimeMessage.Load(new MemoryStream(call.Message)).Body);
        var original = Assert.IsType<MessagePart>(report[2]);
        Assert.Equal("Quarterly figures", original.Message!.Subject);
        Assert.Equal(OriginalMessage, RawPart(call.Message, "message/rfc822", report.Boundary!));
    }

    [Fact]
    public async Task Ret_full_over_the_size_limit_returns_headers_only()
    {
        await using var f = new QueueFixture(o => o.ReturnFullMessageLimit = 10);
        f.AddAgent("mx:example.net", FakeDeliveryAgent.Rejected());
        await f.StartAsync();

        await f.EnqueueAsync(Sender, DsnReturn.Full, null, To("bob@example.net"));

        var report = Assert.IsType<MultipartReport>(f.Notices().Single().Body);
        Assert.Equal("text/rfc822-headers", report[2].ContentType.MimeType);
    }

    [Fact]
    public async Task Notify_never_sends_no_bounce()
    {
        await using var f = new QueueFixture();
        f.AddAgent("mx:example.net", FakeDeliveryAgent.Rejected());
        await f.StartAsync();

        var id = await f.EnqueueAsync(Sender, To("bob@example.net", DsnNotify.Never));

        Assert.Null(f.Spool.Find(id));
        Assert.Empty(f.Sink.Calls);
    }

    [Fact]
    public async Task Notify_success_sends_a_delivered_DSN()
    {
        await using var f = new QueueFixture();
        f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent(action: DeliveryAction.Delivered));
        await f.StartAsync();

        var id = await f.EnqueueAsync(Sender, To("bob@example.net", DsnNotify.Success | DsnNotify.Failure), To("carol@example.net"));

        var dsn = f.Notices().Single();
        Assert.Equal("Successful Mail Delivery Report", dsn.Subject);
        var status = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(dsn.Body)[1]);
        Assert.Equal(2, status.StatusGroups.Count); // only bob asked
        Assert.Equal("delivered", status.StatusGroups[1]["Action"]);
        Assert.Equal("2.0.0", status.StatusGroups[1]["Status"]);
        Assert.Contains(f.Logs.MailLog(), l => l.StartsWith($"{id}: sender delivery status notification: "));
    }

    [Fact]
    public async Task Notify_success_through_a_relay_without_DSN_reports_relayed_and_a_DSN_capable_relay_reports_nothing()
    {
        await using var f = new QueueFixture();
        f.AddAgent("mx:example.net", FakeDeliveryAgent.Sent(action: DeliveryAction.Relayed));
        f.AddAgent("mx:example.org", FakeDeliveryAgent.Sent(action: DeliveryAction.Expanded));
        await f.StartAsync();

        await f.EnqueueAsync(Sender, To("bob@example.net", DsnNotify.Success));
        await f.EnqueueAsync(Sender, To("carol@example.org", DsnNotify.Success));

        var status = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(f.Notices().Single().Body)[1]);
        Assert.Equal("relayed", status.StatusGroups[1]["Action"]);
        Assert.Equal("rfc822; bob@example.net", status.StatusGroups[1]["Final-Recipient"]);
    }

    [Fact]
    public async Task Null_sender_is_never_bounced_its_failure_goes_once_to_the_postmaster_without_a_loop()
    {
        await using var f = new QueueFixture();
        f.AddAgent("mx:example.net", FakeDeliveryAgent.Rejected());
        var postmaster = f.AddAgent("local:mx.test", FakeDeliveryAgent.Rejected(), name: "local");
        await f.StartAsync();

        var id = await f.EnqueueAsync("", To("bob@example.net"));

        Assert.Empty(f.Sink.Calls);
        var copy = postmaster.Calls.Single(); // the double bounce failed as well: dropped, not bounced again
        Assert.Equal("", copy.Request.ReversePath);
        Assert.Equal(["postmaster@mx.test"], copy.Request.Recipients.Select(r => r.Address));
        Assert.Equal("Postmaster Copy: Undelivered Mail", MimeMessage.Load(new MemoryStream(copy.Message)).Subject);
        Assert.Empty(f.Spool.List(QueueState.Active));
        var log = f.Logs.MailLog();
        Assert.Contains(log, l => l.StartsWith($"{id}: postmaster non-delivery notification: "));
        Assert.Contains(log, l => l.Contains("undeliverable notice to postmaster <postmaster@mx.test> discarded"));
    }

    [Fact]
    public async Task Expiry_after_the_maximal_lifetime_bounces_with_4_4_7_and_one_delay_warning_comes_after_4_hours()
    {
        await using var f = new QueueFixture();
        var mx = f.AddAgent("mx:example.net", FakeDeliveryAgent.Deferred());
        await f.StartAsync();
        var id = await f.EnqueueAsync(Sender, To("bob@example.net"));

        for (int i = 0; i < 200 && f.Spool.Find(id) is { } found; i++)
        {
            var next = found.Envelope.NextAttempt!.Value;
            await f.AdvanceAsync(next - f.Time.GetUtcNow());
        }

        Assert.Null(f.Spool.Find(id));
        Assert.Equal(Start + TimeSpan.FromDays(5), mx.Calls[^1].At);
        var notices = f.Sink.Calls.Select(c => (c.At, Message: MimeMessage.Load(new MemoryStream(c.Message)))).ToList();
        Assert.Equal(2, notices.Count);
        Assert.Equal("Delayed Mail (still being retried)", notices[0].Message.Subject);
        Assert.Equal(Start + TimeSpan.FromHours(4), notices[0].At);
        var delayed = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(notices[0].Message.Body)[1]).StatusGroups[1];
        Assert.Equal("delayed", delayed["Action"]);
        Assert.Equal("4.4.1", delayed["Status"]);
        Assert.NotNull(delayed["Will-Retry-Until"]);

        Assert.Equal("Undelivered Mail Returned to Sender", notices[1].Message.Subject);
        var failed = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(notices[1].Message.Body)[1]).StatusGroups[1];
        Assert.Equal("failed", failed["Action"]);
        Assert.Equal("4.4.7", failed["Status"]);
        Assert.Contains(f.Logs.MailLog(), l => l.StartsWith($"{id}: to=<bob@example.net>") && l.Contains("dsn=4.4.7, status=expired"));
    }

    [Fact]
    public async Task Notify_failure_only_gets_no_delay_warning()
    {
        await using var f = new QueueFixture();
        f.AddAgent("mx:example.net", FakeDeliveryAgent.Deferred());
        await f.StartAsync();
        var id = await f.EnqueueAsync(Sender, To("bob@example.net", DsnNotify.Failure));

        for (int i = 0; i < 20 && f.Time.GetUtcNow() < Start + TimeSpan.FromHours(6); i++)
            await f.AdvanceAsync(f.Spool.Find(id)!.Value.Envelope.NextAttempt!.Value - f.Time.GetUtcNow());

        Assert.Empty(f.Sink.Calls);
        Assert.True(f.Spool.Find(id)!.Value.Envelope.DelayWarningSent);
    }
}
