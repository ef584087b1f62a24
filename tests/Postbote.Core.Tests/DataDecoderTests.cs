using System.Buffers;
using System.Text;
using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

/// <summary>
/// The DATA decoder fed whole, in every two-way split, and one byte at a time must give the same output, the
/// same flags and the same consumed count (DESIGN.md "Rules of the house"; EXAMPLES.md pattern 9).
/// </summary>
public sealed class DataDecoderTests
{
    private sealed record Outcome(string Output, int Consumed, bool Completed, bool Bare, bool Long, bool EightBit, long Size);

    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static Outcome Run(byte[] input, IEnumerable<int> cuts, long max, int maxLine)
    {
        var decoder = new DataDecoder(max, maxLine);
        var output = new ArrayBufferWriter<byte>();
        int consumed = 0, start = 0;
        foreach (int cut in cuts.Append(input.Length))
        {
            if (decoder.Completed) break;
            consumed += decoder.Decode(input.AsSpan(start, cut - start), output);
            if (!decoder.Completed) Assert.Equal(cut, consumed); // all of a chunk is consumed until the terminator
            start = cut;
        }
        return new Outcome(Encoding.Latin1.GetString(output.WrittenSpan), consumed, decoder.Completed, decoder.SawBareLineEnding, decoder.SawLongLine, decoder.SawEightBit, decoder.Size);
    }

    /// <summary>Runs every feeding and asserts they agree; returns the outcome.</summary>
    private static Outcome Decode(string input, long max = long.MaxValue, int maxLine = 998)
    {
        var bytes = B(input);
        var whole = Run(bytes, [], max, maxLine);
        for (int split = 0; split <= bytes.Length; split++)
            Assert.Equal(whole, Run(bytes, [split], max, maxLine));
        Assert.Equal(whole, Run(bytes, Enumerable.Range(1, Math.Max(0, bytes.Length - 1)), max, maxLine));
        return whole;
    }

    [Theory]
    [InlineData("Subject: x\r\n\r\nhello\r\n.\r\n", "Subject: x\r\n\r\nhello\r\n")]
    [InlineData("..a\r\n.\r\n", ".a\r\n")]
    [InlineData("...\r\n.\r\n", "..\r\n")]
    [InlineData("a\r\n..\r\n.\r\n", "a\r\n.\r\n")]
    [InlineData("a.b\r\n .\r\n.\r\n", "a.b\r\n .\r\n")]
    [InlineData(".x\r\n.\r\n", "x\r\n")]
    public void DotStuffing_IsUndone_Rfc5321_Section4_5_2(string input, string expected)
    {
        var o = Decode(input);
        Assert.True(o.Completed);
        Assert.Equal(expected, o.Output);
        Assert.Equal(input.Length, o.Consumed);
        Assert.False(o.Bare);
    }

    [Fact]
    public void TerminatorAtTheVeryStart_IsAnEmptyMessage_Rfc5321_Section4_1_1_4()
    {
        var o = Decode(".\r\nQUIT\r\n");
        Assert.True(o.Completed);
        Assert.Equal("", o.Output);
        Assert.Equal(3, o.Consumed);
    }

    [Fact]
    public void BytesAfterTheTerminator_AreNotConsumed_Rfc2920_Section3_1()
    {
        var o = Decode("body\r\n.\r\nMAIL FROM:<a@b.example>\r\n");
        Assert.True(o.Completed);
        Assert.Equal("body\r\n", o.Output);
        Assert.Equal("body\r\n.\r\n".Length, o.Consumed);
    }

    [Fact]
    public void WithoutTerminator_NothingCompletes()
    {
        var o = Decode("body\r\n.\r");
        Assert.False(o.Completed);
        Assert.Equal("body\r\n.\r".Length, o.Consumed);
    }

    [Theory]
    [InlineData("\n.\n")]
    [InlineData("\n.\r\n")]
    [InlineData("\r.\r")]
    [InlineData("\r.\n")]
    [InlineData("\r\n.\n")]
    [InlineData("\r\n.\rx")]
    [InlineData("\n.\r")]
    [InlineData("\r\n.\r\r\n")]
    [InlineData("\r\r\n")]
    [InlineData("a\nb")]
    public void SmugglingVariants_NeverEndTheMessage_AndAreFlagged_Rfc5321_Section2_3_8(string variant)
    {
        string input = "Subject: a\r\n\r\nhello" + variant + "MAIL FROM:<x@y.example>\r\nRCPT TO:<z@y.example>\r\nDATA\r\nevil\r\n.\r\nNEXT";
        var o = Decode(input);
        Assert.True(o.Completed);
        Assert.True(o.Bare);
        Assert.Equal(input.Length - "NEXT".Length, o.Consumed); // one message, ended only by the real terminator
        Assert.EndsWith("evil\r\n", o.Output);
        Assert.Contains("MAIL FROM:", o.Output);
    }

    [Fact]
    public void SizeCap_StopsWritingButReadsToTheTerminator_Rfc5321_Section4_5_3_1_10()
    {
        string body = new string('a', 50) + "\r\n" + new string('b', 50) + "\r\n";
        var o = Decode(body + ".\r\nNOOP\r\n", max: 60);
        Assert.True(o.Completed);
        Assert.Equal(body[..60], o.Output);
        Assert.Equal(body.Length, o.Size);
        Assert.Equal(body.Length + 3, o.Consumed);
        Assert.True(new DataDecoder(60).MaxSize == 60);
    }

    [Fact]
    public void SizeCap_ExactlyAtTheLimit_IsNotOversized()
    {
        var decoder = new DataDecoder(5);
        var output = new ArrayBufferWriter<byte>();
        decoder.Decode("abc\r\n.\r\n"u8, output);
        Assert.False(decoder.Oversized);
        decoder = new DataDecoder(4);
        decoder.Decode("abc\r\n.\r\n"u8, new ArrayBufferWriter<byte>());
        Assert.True(decoder.Oversized);
    }

    [Theory]
    [InlineData(998, false)]
    [InlineData(999, true)]
    public void LongLines_AreFlagged_Rfc5322_Section2_1_1(int length, bool flagged)
    {
        var o = Decode("x\r\n" + new string('y', length) + "\r\n.\r\n");
        Assert.Equal(flagged, o.Long);
        Assert.Equal(length + 5, o.Output.Length);
    }

    [Fact]
    public void LongLineLimit_CountsAStuffedLineWithoutItsDot()
    {
        Assert.False(Decode("." + new string('y', 10) + "\r\n.\r\n", maxLine: 10).Long);
        Assert.True(Decode(new string('y', 11) + "\r\n.\r\n", maxLine: 10).Long);
    }

    [Theory]
    [InlineData("caf\u00e9\r\n.\r\n", true)]
    [InlineData("\u00ff\r\n.\r\n", true)]
    [InlineData("plain\r\n.\r\n", false)]
    public void EightBitData_IsFlagged_Rfc6152_Section3(string input, bool eightBit)
        => Assert.Equal(eightBit, Decode(input).EightBit);
}
