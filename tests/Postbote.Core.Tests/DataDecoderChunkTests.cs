using System.Buffers;
using System.Text;
using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

/// <summary>
/// Issue 11: BDAT chunks (RFC 3030) skipped DATA's checks. <see cref="DataDecoder.ForChunks"/> runs them over the
/// chunks of one message without dot-unstuffing: fed as the client's chunks, whole, and one byte at a time, the
/// output (the bytes unchanged) and the flags must agree.
/// </summary>
public sealed class DataDecoderChunkTests
{
    private sealed record Outcome(string Output, bool Completed, bool Bare, bool Long, bool EightBit, long Size);

    private static Outcome Run(IEnumerable<byte[]> pieces, long max, int maxLine)
    {
        var decoder = DataDecoder.ForChunks(max, maxLine);
        var output = new ArrayBufferWriter<byte>();
        foreach (var piece in pieces) Assert.Equal(piece.Length, decoder.Decode(piece, output)); // a chunk is always consumed whole
        decoder.FinishChunks(output);
        return new Outcome(Encoding.Latin1.GetString(output.WrittenSpan), decoder.Completed, decoder.SawBareLineEnding, decoder.SawLongLine, decoder.SawEightBit, decoder.Size);
    }

    /// <summary>The chunks as given, all in one, and one byte at a time must agree; returns the outcome.</summary>
    private static Outcome Decode(string[] chunks, long max = long.MaxValue, int maxLine = 998)
    {
        var bytes = chunks.Select(Encoding.Latin1.GetBytes).ToArray();
        var asGiven = Run(bytes, max, maxLine);
        Assert.Equal(asGiven, Run([bytes.SelectMany(b => b).ToArray()], max, maxLine));
        Assert.Equal(asGiven, Run(bytes.SelectMany(b => b).Select(b => new[] { b }), max, maxLine));
        return asGiven;
    }

    [Theory]
    [InlineData(new[] { "Subject: x\r\n\r\n.dot\r\n" }, "Subject: x\r\n\r\n.dot\r\n")]
    [InlineData(new[] { "a\r\n.\r\nMAIL FROM:<x@y>\r\n" }, "a\r\n.\r\nMAIL FROM:<x@y>\r\n")]
    [InlineData(new[] { "..\r\n", ".", "\r\n" }, "..\r\n.\r\n")]
    public void Chunks_AreStoredUnchanged_NoDotUnstuffing_NoTerminator_Rfc3030_Section2(string[] chunks, string expected)
    {
        var outcome = Decode(chunks);
        Assert.Equal(expected, outcome.Output);
        Assert.False(outcome.Completed);
        Assert.False(outcome.Bare);
        Assert.Equal(expected.Length, outcome.Size);
    }

    [Theory]
    [InlineData("a\nb\r\n")]
    [InlineData("a\rb\r\n")]
    [InlineData("a\r\n|\n")]
    [InlineData("ab\r")] // a CR ending the last chunk has no LF to come
    [InlineData("ab\r|x")]
    public void BareCrOrLf_InOrAcrossChunks_IsFlagged_Rfc5321_Section2_3_8(string chunkList)
    {
        var chunks = chunkList.Split('|'); // "|" separates the chunks
        var outcome = Decode(chunks);
        Assert.True(outcome.Bare);
        Assert.Equal(string.Concat(chunks), outcome.Output); // flagged, never changed
    }

    [Fact]
    public void CrEndingOneChunk_AndLfStartingTheNext_AreOneLineEnd()
    {
        var outcome = Decode(["Subject: s\r", "\n\r\nbody\r", "\n"]);
        Assert.False(outcome.Bare);
        Assert.Equal("Subject: s\r\n\r\nbody\r\n", outcome.Output);
    }

    [Fact]
    public void LongLineAcrossChunks_And8BitOctets_AreFlagged()
    {
        var outcome = Decode([new string('x', 600), new string('y', 400) + "\r\n", "caf\u00e9\r\n"]);
        Assert.True(outcome.Long);
        Assert.True(outcome.EightBit);
        var fine = Decode([new string('x', 500), new string('y', 498) + "\r\n"]);
        Assert.False(fine.Long);
        Assert.False(fine.EightBit);
    }

    [Fact]
    public void OctetsPastTheLimit_AreCountedNotWritten()
    {
        var outcome = Decode(["0123456789", "abcdef"], max: 12);
        Assert.Equal("0123456789ab", outcome.Output);
        Assert.Equal(16, outcome.Size);
    }
}
