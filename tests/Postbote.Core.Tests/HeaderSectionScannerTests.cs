using System.Text;
using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

public sealed class HeaderSectionScannerTests
{
    private const string Message =
        "Received: from a by b; Sat, 28 Nov 2026 11:00:00 +0000\r\n" +
        "received: from c\r\n\tby d; Sat, 28 Nov 2026 10:00:00 +0000\r\n" +
        "X-Received: not counted\r\n" +
        "Subject: a folded\r\n  subject line\r\n" +
        "From: Alice <alice@example.org>\r\n" +
        "RECEIVED: third\r\n" +
        "\r\n" +
        "Received: in the body, not a header\r\n";

    private static HeaderSectionScanner Scan(IEnumerable<int> cuts)
    {
        var bytes = Encoding.ASCII.GetBytes(Message);
        var scanner = new HeaderSectionScanner();
        int start = 0;
        foreach (int cut in cuts.Append(bytes.Length))
        {
            scanner.Scan(bytes.AsSpan(start, cut - start));
            start = cut;
        }
        return scanner;
    }

    [Fact]
    public void ReceivedFields_AreCounted_AcrossEveryChunkBoundary_Rfc5321_Section6_3()
    {
        int length = Message.Length;
        var feedings = Enumerable.Range(0, length + 1).Select(i => (IEnumerable<int>)[i]).Append(Enumerable.Range(1, length - 1));
        foreach (var cuts in feedings)
        {
            var s = Scan(cuts);
            Assert.Equal(3, s.ReceivedCount);
            Assert.True(s.Complete);
            Assert.Equal(Message.IndexOf("\r\n\r\n") + 4, s.HeaderBytes.Length);
        }
    }

    [Fact]
    public void GetField_UnfoldsContinuationLines_Rfc5322_Section2_2_3()
    {
        var s = Scan([]);
        Assert.Equal("a folded subject line", s.GetField("Subject"));
        Assert.Equal("Alice <alice@example.org>", s.GetField("from"));
        Assert.Equal("from a by b; Sat, 28 Nov 2026 11:00:00 +0000", s.GetField("Received"));
        Assert.Null(s.GetField("Message-ID"));
        Assert.Null(s.GetField("Received: in the body"));
    }

    [Fact]
    public void HeaderCopy_IsCappedAtTheLimit()
    {
        var s = new HeaderSectionScanner(maxHeaderBytes: 10);
        s.Scan(Encoding.ASCII.GetBytes(Message));
        Assert.Equal(10, s.HeaderBytes.Length);
        Assert.Equal(3, s.ReceivedCount);
    }
}
