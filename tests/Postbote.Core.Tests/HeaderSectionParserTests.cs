using System.Text;
using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

/// <summary>The streaming header-section parser, fed whole, at every cut, and one byte at a time.</summary>
public sealed class HeaderSectionParserTests
{
    private const string Message =
        "Received: from a by b; Sat, 28 Nov 2026 11:00:00 +0000\r\n" +
        "received: from c\r\n\tby d; Sat, 28 Nov 2026 10:00:00 +0000\r\n" +
        "X-Received: not counted\r\n" +
        "Subject: a folded\r\n  subject line\r\n" +
        "From: Alice\r\n <alice@example.org>\r\n" +
        "RECEIVED : third, with obs-optional white space\r\n" +
        "Message-ID: <1@example.org>\r\n" +
        "\r\n" +
        "Received: in the body, not a header\r\n" +
        "From: body@example.org\r\n";

    private static HeaderSectionParser Parse(string text, IEnumerable<int> cuts, int maxValue = HeaderSectionParser.DefaultMaxFieldValueBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var parser = new HeaderSectionParser(maxValue);
        int start = 0;
        foreach (int cut in cuts.Append(bytes.Length))
        {
            parser.Scan(bytes.AsSpan(start, cut - start));
            start = cut;
        }
        return parser;
    }

    private static IEnumerable<IEnumerable<int>> EveryFeeding(int length) =>
        Enumerable.Range(0, length + 1).Select(i => (IEnumerable<int>)[i]).Append(Enumerable.Range(1, length - 1));

    [Fact]
    public void ReceivedFromAndMessageId_AreFound_AcrossEveryChunkBoundary_Rfc5322_Section2_2()
    {
        foreach (var cuts in EveryFeeding(Message.Length))
        {
            var p = Parse(Message, cuts);
            Assert.Equal(3, p.ReceivedCount);
            Assert.True(p.Complete);
            Assert.False(p.EndedByNonFieldLine);
            Assert.Equal(Message.IndexOf("\r\n\r\n") + 4, p.Length);
            Assert.Equal(1, p.From.Count);
            Assert.Equal("Alice <alice@example.org>", p.From.Value);
            Assert.Equal(1, p.MessageId.Count);
            Assert.Equal(0, p.Date.Count);
            Assert.Equal(0, p.Sender.Count);
        }
    }

    [Fact]
    public void TwoFromFields_AreBothCounted_TheFirstValueKept()
    {
        var p = Parse("From: alice@local.test\r\nSubject: x\r\nFrom: ceo@example.org\r\n\r\nbody\r\n", []);
        Assert.Equal(2, p.From.Count);
        Assert.Equal("alice@local.test", p.From.Value);
    }

    [Theory]
    [InlineData("From : ceo@example.org\r\n\r\n")]
    [InlineData("from\t: ceo@example.org\r\n\r\n")]
    [InlineData("FROM  \t :ceo@example.org\r\n\r\n")]
    public void FieldNameWithWhiteSpaceBeforeTheColon_IsRecognised_Rfc5322_Section4_5_3(string text)
    {
        foreach (var cuts in EveryFeeding(text.Length))
        {
            var p = Parse(text, cuts);
            Assert.Equal(1, p.From.Count);
            Assert.Equal("ceo@example.org", p.From.Value);
        }
    }

    [Fact]
    public void FromAfterAHeaderLargerThan256KiB_IsStillSeen()
    {
        var text = "X-Pad: " + new string('a', 270_000) + "\r\nFrom: ceo@example.org\r\n\r\nbody\r\n";
        var p = Parse(text, Enumerable.Range(1, text.Length / 4096).Select(i => i * 4096));
        Assert.True(p.Complete);
        Assert.Equal(1, p.From.Count);
        Assert.Equal("ceo@example.org", p.From.Value);
    }

    [Fact]
    public void FromValueLongerThanTheCap_IsMarkedTooLong_NotTruncated()
    {
        var text = "From: " + string.Join(", ", Enumerable.Range(0, 100).Select(i => $"user{i}@example.org")) + "\r\n\r\n";
        var p = Parse(text, [], maxValue: 200);
        Assert.Equal(1, p.From.Count);
        Assert.True(p.From.IsTooLong);
        Assert.Null(p.From.Value);
        Assert.False(Parse(text, []).From.IsTooLong);
    }

    [Fact]
    public void FoldedFromSplitOverManyLines_IsUnfolded_OneByteAtATime()
    {
        const string text = "From: Alice\r\n\t<alice@example.org>,\r\n Bob <bob@example.org>\r\nTo: x@y.example\r\n\r\n";
        var p = Parse(text, Enumerable.Range(1, text.Length - 1));
        Assert.Equal("Alice\t<alice@example.org>, Bob <bob@example.org>", p.From.Value);
    }

    [Fact]
    public void ALineThatIsNotAField_EndsTheHeaderSection_AsPostfixCleanupDoes()
    {
        var p = Parse("Subject: x\r\nthis is body text\r\nFrom: ceo@example.org\r\n", []);
        Assert.True(p.Complete);
        Assert.True(p.EndedByNonFieldLine);
        Assert.Equal("Subject: x\r\n".Length, p.Length);
        Assert.Equal(0, p.From.Count);
    }

    [Fact]
    public void MessageWithoutBody_NoEmptyLine_KeepsItsFields()
    {
        var p = Parse("From: a@example.org\r\nDate: Sat, 28 Nov 2026 11:00:00 +0000", []);
        Assert.False(p.Complete);
        Assert.Equal("a@example.org", p.From.Value);
        Assert.Equal(1, p.Date.Count);
    }

    [Fact]
    public void BodyBytesAfterTheEnd_AreNotLookedAt()
    {
        var p = new HeaderSectionParser();
        p.Scan("Subject: x\r\n\r\n"u8);
        long length = p.Length;
        p.Scan("From: body@example.org\r\nReceived: x\r\n"u8);
        Assert.Equal(length, p.Length);
        Assert.Equal(0, p.From.Count);
        Assert.Equal(0, p.ReceivedCount);
    }

    [Fact]
    public void FromAfterANonFieldLine_BeforeTheEmptyLine_IsNoticed_ForLenientReaders()
    {
        const string text = "Subject: x\r\nthis is not a field\r\nX-Pad: y\r\nfrom  : ceo@example.org\r\n\r\nbody\r\n";
        foreach (var cuts in EveryFeeding(Encoding.UTF8.GetByteCount(text)))
        {
            var p = Parse(text, cuts);
            Assert.True(p.EndedByNonFieldLine);
            Assert.Equal(0, p.From.Count);
            Assert.True(p.AuthorFieldAfterEnd);
        }
    }

    [Theory]
    [InlineData("Subject: x\r\nnot a field\r\n\r\nFrom: after the empty line, body text\r\n")]
    [InlineData("Subject: x\r\nnot a field\r\nFromage: cheese\r\nSenders: many\r\n")]
    [InlineData("Subject: x\r\n\r\nFrom: ceo@example.org\r\n")]
    public void BodyLinesAfterTheSection_AreNotAuthorFields(string text)
    {
        foreach (var cuts in EveryFeeding(Encoding.UTF8.GetByteCount(text)))
            Assert.False(Parse(text, cuts).AuthorFieldAfterEnd);
    }
}
