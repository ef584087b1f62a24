using System.Text;
using Postbote.Delivery.Smtp;

namespace Postbote.Delivery.Tests;

public class SmtpReplyTests
{
    [Theory]
    [InlineData("250-mx.example.net", 250, false, "mx.example.net")]
    [InlineData("250 OK", 250, true, "OK")]
    [InlineData("354", 354, true, "")]
    public void Reply_line_is_parsed(string line, int code, bool last, string text)
    {
        Assert.True(SmtpReply.TryParseLine(Encoding.ASCII.GetBytes(line), out var c, out var l, out var t));
        Assert.Equal((code, last, text), (c, l, t));
    }

    [Theory]
    [InlineData("25")]
    [InlineData("abc hello")]
    [InlineData("250_x")]
    [InlineData("199 no")]
    public void Malformed_reply_line_is_refused(string line)
        => Assert.False(SmtpReply.TryParseLine(Encoding.ASCII.GetBytes(line), out _, out _, out _));

    [Fact]
    public void Enhanced_status_is_taken_only_when_its_class_matches_the_code_RFC3463()
    {
        Assert.Equal("5.1.1", new SmtpReply(550, new[] { "5.1.1 No such user" }).EnhancedStatus);
        Assert.Null(new SmtpReply(550, new[] { "4.1.1 wrong class" }).EnhancedStatus);
        Assert.Null(new SmtpReply(550, new[] { "No such user" }).EnhancedStatus);
        Assert.Equal("4.0.0", new SmtpReply(421, new[] { "busy" }).Status());
    }

    [Fact]
    public void Capabilities_are_parsed_from_EHLO()
    {
        var reply = new SmtpReply(250, new[] { "mx.example.net", "PIPELINING", "SIZE 1000", "8BITMIME", "SMTPUTF8", "DSN", "STARTTLS",
            "AUTH PLAIN LOGIN", "AUTH=CRAM-MD5", "CHUNKING", "ENHANCEDSTATUSCODES" });
        var caps = SmtpCapabilities.Parse(reply);
        Assert.True(caps.Pipelining && caps.EightBitMime && caps.SmtpUtf8 && caps.Dsn && caps.StartTls && caps.Chunking && caps.EnhancedStatusCodes);
        Assert.Equal(1000, caps.MaxSize);
        Assert.Equal(new[] { "CRAM-MD5", "LOGIN", "PLAIN" }, caps.AuthMechanisms.Order());
        Assert.Null(SmtpCapabilities.Parse(new SmtpReply(250, new[] { "x", "SIZE 0" })).MaxSize);
    }

    [Theory]
    [InlineData("a\r\n.b\r\n", "a\r\n..b\r\n.\r\n")]
    [InlineData(".\r\n", "..\r\n.\r\n")]
    [InlineData("no end", "no end\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    [InlineData("x\n.y\r\n", "x\n..y\r\n.\r\n")] // a dot after a bare LF is stuffed too: a lax next hop never sees "\n." alone
    public void Dot_stuffing_doubles_leading_dots_and_ends_with_CRLF_dot_CRLF_RFC5321_4_5_2(string input, string expected)
    {
        foreach (var chunk in new[] { 1, 2, 1000 })
        {
            var stuffer = new Postbote.Core.Smtp.DataEncoder();
            var bytes = Encoding.ASCII.GetBytes(input);
            var output = new System.Buffers.ArrayBufferWriter<byte>();
            for (var i = 0; i < bytes.Length; i += chunk)
                stuffer.Encode(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)), output);
            stuffer.Complete(output);
            Assert.Equal(expected, Encoding.ASCII.GetString(output.WrittenSpan));
        }
    }
}
