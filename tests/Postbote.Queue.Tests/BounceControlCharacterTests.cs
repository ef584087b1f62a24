using System.Text;
using MimeKit;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;

namespace Postbote.Queue.Tests;

/// <summary>
/// Defence in depth for DSN injection: whatever an envelope holds (an ENVID or ORCPT that slipped past the SMTP
/// checks, a spool written by an older version, a remote reply with a NUL), the delivery-status part of a bounce
/// (RFC 3464 §2) gets no raw control character and no field the envelope did not name.
/// </summary>
public sealed class BounceControlCharacterTests
{
    private const string Injection = "x\r\nAction: delivered\r\n\0\u001b[2J\u007f";

    [Fact]
    public async Task Control_characters_in_the_envelope_never_reach_the_delivery_status_part_raw()
    {
        var original = new QueuedMessage
        {
            QueueId = "4F3K2Q1Z",
            ArrivalTime = DateTimeOffset.Parse("2026-12-01T10:00:00Z"),
            ReversePath = "sender@example.net" + Injection,
            EnvelopeId = "env" + Injection,
            Size = QueueFixture.OriginalMessage.Length,
        };
        var recipient = new QueuedRecipient
        {
            Address = "bob@example.org" + Injection,
            OriginalRecipientParameter = "rfc822;orig@example.org" + Injection,
            Status = "5.1.1" + Injection,
            Diagnostic = "550 5.1.1 unknown" + Injection,
            RemoteMta = "mx.example.org" + Injection + "[192.0.2.7]:25",
            State = RecipientState.Bounced,
        };
        var bounce = new Bounce(new QueueManagerOptions { Hostname = "mx.local.test" }, TimeProvider.System);
        var bytes = await bounce.CreateAsync(DsnKind.Failure, original, [(recipient, DeliveryAction.Failed)],
            () => new MemoryStream(QueueFixture.OriginalMessage), "sender@example.net", CancellationToken.None);

        var message = await MimeMessage.LoadAsync(new MemoryStream(bytes));
        var report = Assert.IsType<MultipartReport>(message.Body);
        var status = Assert.IsType<MessageDeliveryStatus>(report[1]);
        using var raw = new MemoryStream();
        await status.Content.DecodeToAsync(raw);
        var text = Encoding.UTF8.GetString(raw.ToArray());

        var lines = text.Split("\r\n");
        foreach (var line in lines)
            Assert.False(line.AsSpan().ContainsAnyInRange('\0', '\u001f') || line.Contains('\u007f'), $"raw control character in: {Escape(line)}");
        Assert.Equal(1, lines.Count(l => l.StartsWith("Action:", StringComparison.Ordinal)));
        Assert.Equal("Action: failed", lines.Single(l => l.StartsWith("Action:", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("Original-Envelope-Id: env", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Original-Recipient: rfc822; orig@example.org", StringComparison.Ordinal));

        var human = Assert.IsType<TextPart>(report[0]).Text;
        var humanWithoutLineEnds = human.Replace("\r", "").Replace("\n", "");
        Assert.False(humanWithoutLineEnds.AsSpan().ContainsAnyInRange('\0', '\u001f') || humanWithoutLineEnds.Contains('\u007f'),
            "raw control character in the human-readable part: " + Escape(human));
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < 0x20 || c == 0x7f ? $"\\x{(int)c:X2}" : c.ToString()));
}
