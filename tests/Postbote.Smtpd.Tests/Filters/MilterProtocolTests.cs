using System.Buffers.Binary;
using System.Text;
using Postbote.Smtpd.Filters;

namespace Postbote.Smtpd.Tests.Filters;

/// <summary>The milter wire format (libmilter mfdef.h): framing, negotiation, reply codes and the filters' changes.</summary>
public sealed class MilterProtocolTests
{
    private static byte[] Packet(byte command, params byte[][] fields)
    {
        var data = fields.SelectMany(f => f).ToArray();
        var p = new byte[5 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(p, (uint)(1 + data.Length));
        p[4] = command;
        data.CopyTo(p, 5);
        return p;
    }

    private static byte[] U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); return b; }
    private static byte[] Z(string s) => Encoding.UTF8.GetBytes(s + "\0");

    [Fact]
    public void Builder_FramesEachPacket_WithItsLengthCountingTheCommandByte()
    {
        var b = new MilterPacketBuilder();
        b.Start(MilterProtocol.Header).String("Subject").String("hi").End();
        b.Start(MilterProtocol.EndOfHeaders).End();
        var bytes = b.Written.ToArray();
        Assert.Equal(Packet((byte)'L', Z("Subject"), Z("hi")).Concat(Packet((byte)'N')).ToArray(), bytes);
    }

    [Fact]
    public void Builder_ConnectPacket_HasHostFamilyPortAndAddress()
    {
        var b = new MilterPacketBuilder();
        b.Start(MilterProtocol.Connect).String("[192.0.2.1]").Byte((byte)'4').UInt16(40001).String("192.0.2.1").End();
        var expected = Packet((byte)'C', Z("[192.0.2.1]"), "4"u8.ToArray(), [0x9C, 0x41], Z("192.0.2.1"));
        Assert.Equal(expected, b.Written.ToArray());
    }

    [Fact]
    public void Builder_ANulInsideAValue_IsNotSentAsAFieldEnd()
    {
        var b = new MilterPacketBuilder();
        b.Start(MilterProtocol.Helo).String("a\0b").End();
        Assert.Equal(Packet((byte)'H', Z("a b")), b.Written.ToArray());
    }

    [Fact]
    public async Task Reader_ReadsPacketsCutAnywhere()
    {
        var bytes = Packet((byte)'h', Z("X-A"), Z("1")).Concat(Packet((byte)'c')).ToArray();
        var reader = new MilterPacketReader(new OneByteStream(bytes));
        var first = await reader.ReadAsync(CancellationToken.None);
        Assert.Equal((byte)'h', first.Command);
        var f = first.Fields();
        Assert.Equal("X-A", f.String());
        Assert.Equal("1", f.String());
        Assert.True(f.End);
        Assert.Equal((byte)'c', (await reader.ReadAsync(CancellationToken.None)).Command);
        await Assert.ThrowsAsync<EndOfStreamException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
    }

    [Theory]
    [InlineData("HTTP/1.1 400 Bad Request\r\n\r\n")]
    [InlineData("\0\0\0\0")]
    [InlineData("220 clamd ready\r\n")]
    public async Task Reader_AWrongPeer_IsAProtocolErrorNamingTheBytes_NotAHugeAllocation(string reply)
    {
        var reader = new MilterPacketReader(new MemoryStream(Encoding.ASCII.GetBytes(reply)));
        var e = await Assert.ThrowsAsync<MilterProtocolException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
        Assert.Contains("bad packet length", e.Message);
        Assert.Contains("not a milter", e.Message);
    }

    [Fact]
    public void Offer_IsVersion6_AllActions_AndTheStepsWeUnderstand()
    {
        var b = new MilterPacketBuilder();
        MilterNegotiation.WriteOffer(b);
        Assert.Equal(Packet((byte)'O', U32(6), U32(0x1FF), U32((uint)MilterSteps.Offered)), b.Written.ToArray());
        Assert.Equal(0u, (uint)(MilterSteps.Offered & MilterSteps.RcptRejected));
    }

    [Fact]
    public void Negotiation_ReadsActionsStepsAndRequestedMacros()
    {
        var packet = new MilterPacket((byte)'O', Packet((byte)'O', U32(6), U32(0x03), U32(0x80 | 0x1000),
            U32(2), Z("{mail_addr} i"), U32(5), Z("{rcpt_addr}")).AsMemory(5));
        var n = MilterNegotiation.Parse(packet);
        Assert.Equal(6u, n.Version);
        Assert.True(n.May(MilterActions.AddHeaders));
        Assert.True(n.May(MilterActions.ChangeBody));
        Assert.False(n.May(MilterActions.Quarantine));
        Assert.True(n.Has(MilterSteps.NoReplyHeader));
        Assert.True(n.Has(MilterSteps.NoReplyConnect));
        Assert.False(n.Has(MilterSteps.NoBody));
        Assert.Equal(["{mail_addr}", "i"], n.RequestedMacros[MilterProtocol.MacroStage.Mail]);
        Assert.Equal(["{rcpt_addr}"], n.RequestedMacros[MilterProtocol.MacroStage.EndOfMessage]);
    }

    [Theory]
    [InlineData(1u, 0u, 0u, "version 1")]
    [InlineData(6u, 0x400u, 0u, "unknown actions")]
    [InlineData(6u, 0u, 0x800u, "not offered")]
    public void Negotiation_RefusesWhatWasNotOffered(uint version, uint actions, uint steps, string why)
    {
        var packet = new MilterPacket((byte)'O', Packet((byte)'O', U32(version), U32(actions), U32(steps)).AsMemory(5));
        Assert.Contains(why, Assert.Throws<MilterProtocolException>(() => MilterNegotiation.Parse(packet)).Message);
    }

    [Fact]
    public void Negotiation_AnotherPacketThanOptneg_IsAProtocolError() =>
        Assert.Throws<MilterProtocolException>(() => MilterNegotiation.Parse(new MilterPacket((byte)'c', ReadOnlyMemory<byte>.Empty)));

    [Fact]
    public void ReplyCode_SingleLine_KeepsCodeStatusAndText()
    {
        var r = MilterReplyCode.Parse("554 5.7.1 Spam detected, 100%% sure");
        Assert.Equal(554, r.Code);
        Assert.Equal("5.7.1", r.EnhancedStatus);
        Assert.Equal("554 5.7.1 Spam detected, 100% sure\r\n", Encoding.ASCII.GetString(r.ToBytes()));
    }

    [Fact]
    public void ReplyCode_MultiLine_BecomesAMultiLineReply()
    {
        var r = MilterReplyCode.Parse("550-5.7.0 first line\r\n550 5.7.0 second line");
        Assert.Equal(550, r.Code);
        Assert.Equal(["first line", "second line"], r.Lines);
        Assert.Equal("550-5.7.0 first line\r\n550 5.7.0 second line\r\n", Encoding.ASCII.GetString(r.ToBytes()));
    }

    [Theory]
    [InlineData("250 2.0.0 fine")]
    [InlineData("hello")]
    [InlineData("550-5.7.1 a\r\n450 4.7.1 b")]
    public void ReplyCode_NotA4xxOr5xxReply_IsAProtocolError(string text) =>
        Assert.Throws<MilterProtocolException>(() => MilterReplyCode.Parse(text));

    [Fact]
    public void ReplyCode_WithoutEnhancedStatus_GetsOneOfItsClass() =>
        Assert.Equal("4.7.1", MilterReplyCode.Parse("451 try later").EnhancedStatus);

    private sealed class OneByteStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
