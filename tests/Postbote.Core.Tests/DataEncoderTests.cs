using System.Buffers;
using System.Text;
using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

public sealed class DataEncoderTests
{
    private static string Encode(string content, int chunk = int.MaxValue)
    {
        var bytes = Encoding.Latin1.GetBytes(content);
        var encoder = new DataEncoder();
        var output = new ArrayBufferWriter<byte>();
        for (int i = 0; i < bytes.Length; i += chunk) encoder.Encode(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)), output);
        encoder.Complete(output);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    [Theory]
    [InlineData(".\r\n")]
    [InlineData("Subject: x\r\n\r\nhello\r\n.\r\n")]
    [InlineData("..a\r\n...\r\nb.c\r\n.\r\n")]
    [InlineData("a\r\n..\r\n..\r\n.\r\n")]
    [InlineData("\r\n\r\n.\r\n")]
    public void EncodeOfDecode_GivesTheWireBytesBack_Rfc5321_Section4_5_2(string wire)
    {
        var decoder = new DataDecoder(long.MaxValue);
        var decoded = new ArrayBufferWriter<byte>();
        Assert.Equal(wire.Length, decoder.Decode(Encoding.Latin1.GetBytes(wire), decoded));
        string content = Encoding.Latin1.GetString(decoded.WrittenSpan);
        for (int chunk = 1; chunk <= wire.Length + 1; chunk++) Assert.Equal(wire, Encode(content, chunk));
    }

    [Theory]
    [InlineData(".start\r\n", "..start\r\n.\r\n")]
    [InlineData("a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    public void LinesStartingWithADot_AreDoubled_Rfc5321_Section4_5_2(string content, string wire)
    {
        for (int chunk = 1; chunk <= content.Length + 1; chunk++) Assert.Equal(wire, Encode(content, chunk));
    }

    [Theory]
    [InlineData("no final line end", "no final line end\r\n.\r\n")]
    [InlineData("ends with CR\r", "ends with CR\r\r\n.\r\n")]
    [InlineData("ends with LF\n", "ends with LF\n\r\n.\r\n")]
    public void MissingFinalCrlf_IsAddedBeforeTheTerminator_Rfc5321_Section4_1_1_4(string content, string wire)
    {
        for (int chunk = 1; chunk <= content.Length + 1; chunk++) Assert.Equal(wire, Encode(content, chunk));
    }
}
