using Postbote.Core.Smtp;
using Postbote.Smtpd;

namespace Postbote.Web.Tests;

/// <summary>The accept path's increments (what a session calls per command and per message) allocate nothing while /metrics listens.</summary>
public sealed class SessionIncrementCostTests
{
    [Fact]
    public void ASessionsIncrements_AllocateNothing_OnceEachLabelSetWasSeen()
    {
        using var factory = new TestMeterFactory();
        using var collector = new MetricsCollector(factory, includeRuntime: false);
        var metrics = new SmtpdMetrics(factory);
        void OneSession()
        {
            metrics.Connected("mx");
            metrics.Replied(SmtpVerb.Ehlo, SmtpReplies.Ok);
            metrics.Replied(SmtpVerb.Mail, SmtpReplies.SenderOk);
            metrics.Replied(SmtpVerb.Rcpt, SmtpReplies.RecipientOk);
            metrics.Replied(SmtpVerb.Rcpt, SmtpReplies.UserUnknown);
            metrics.Replied(SmtpVerb.Data, SmtpReplies.StartData);
            metrics.Replied(SmtpVerb.Data, SmtpReplies.Ok);
            metrics.MessageReceived("mx", 4096);
            metrics.Replied(SmtpVerb.Quit, SmtpReplies.Bye);
            metrics.SessionEnded("mx", "quit");
        }
        // Warm up past tiered compilation (the first rounds' JIT work allocates once, not per session).
        for (int i = 0; i < 1000; i++) OneSession();

        Assert.Equal(0, AllocationProbe.FewestBytes(() => { for (int i = 0; i < 1000; i++) OneSession(); }));
        var text = PrometheusTextWriter.Write(collector.Collect());
        Assert.Contains("postbote_messages_received_total{listener=\"mx\"} 4000\n", text);
        Assert.Contains("postbote_received_bytes_total 16384000\n", text);
        Assert.Contains("postbote_smtpd_rejects_total{reason=\"recipient\"} 4000\n", text);
        Assert.Contains("postbote_smtpd_sessions_ended_total{listener=\"mx\",reason=\"quit\"} 4000\n", text);
        Assert.Contains("postbote_smtpd_connections_active{listener=\"mx\"} 0\n", text);
    }
}
