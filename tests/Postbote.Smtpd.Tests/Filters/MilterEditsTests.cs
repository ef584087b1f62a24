using System.Buffers;
using System.Text;
using Postbote.Smtpd.Filters;

namespace Postbote.Smtpd.Tests.Filters;

/// <summary>The filters' header, envelope and body changes applied to a message, unchanged fields kept byte for byte.</summary>
public sealed class MilterEditsTests
{
    private const string Section = "Received: from x\r\n\tby y; now\r\nFrom: a@example.org\r\nSubject: one\r\nX-Tag: 1\r\nX-Tag: 2\r\n\r\n";

    private static FilteredMessage Message(string section = Section)
    {
        var bytes = Encoding.ASCII.GetBytes(section);
        var (fields, end) = FilteredMessageReader.Split(bytes);
        return new FilteredMessage(fields, bytes.AsMemory(end), bytes.Length, bytes.Length + 10);
    }

    private static string Headers(FilteredMessage m)
    {
        var w = new ArrayBufferWriter<byte>();
        foreach (var f in m.Headers) f.WriteTo(w);
        w.Write(m.Separator.Span);
        return Encoding.ASCII.GetString(w.WrittenSpan);
    }

    private static MilterNegotiation All => new(6, MilterActions.All, MilterSteps.None, new Dictionary<MilterProtocol.MacroStage, string[]>());

    private static MilterPacket P(byte command, params object[] fields)
    {
        var b = new MilterPacketBuilder();
        b.Start(command);
        foreach (var f in fields)
        {
            if (f is uint u) b.UInt32(u);
            else if (f is byte[] raw) b.Bytes(raw);
            else b.String((string)f);
        }
        b.End();
        var bytes = b.Written.ToArray();
        return new MilterPacket(bytes[4], bytes.AsMemory(5));
    }

    [Fact]
    public void Split_KeepsFoldedFieldsWhole_AndTheEmptyLineAsSeparator()
    {
        var m = Message();
        Assert.Equal(["Received", "From", "Subject", "X-Tag", "X-Tag"], m.Headers.Select(h => h.Name));
        Assert.Equal(" from x\r\n\tby y; now", m.Headers[0].Value);
        Assert.Equal("from x\n\tby y; now", m.Headers[0].ValueForFilter(keepLeadingSpace: false));
        Assert.Equal("\r\n", Encoding.ASCII.GetString(m.Separator.Span));
        Assert.Equal(Section, Headers(m));
        Assert.False(m.Changed);
    }

    [Fact]
    public void AddInsertChangeDelete_ApplyInOrder_OthersUntouched()
    {
        var m = Message();
        MilterEdits.Apply([
            P(MilterProtocol.AddHeader, "X-Spam", "no"),
            P(MilterProtocol.InsertHeader, 0u, "DKIM-Signature", "v=1;\n\tb=abc"),
            P(MilterProtocol.ChangeHeader, 2u, "X-Tag", "two"),
            P(MilterProtocol.ChangeHeader, 1u, "Subject", ""),
        ], m, All, 1000);
        Assert.True(m.Changed);
        Assert.Equal("DKIM-Signature: v=1;\r\n\tb=abc\r\nReceived: from x\r\n\tby y; now\r\nFrom: a@example.org\r\nX-Tag: 1\r\nX-Tag: two\r\nX-Spam: no\r\n\r\n", Headers(m));
        Assert.True(m.Headers[1].IsOriginal);
    }

    [Fact]
    public void ChangeOfAFieldThatIsNotThere_AddsIt()
    {
        var m = Message();
        MilterEdits.Apply([P(MilterProtocol.ChangeHeader, 1u, "X-New", "v")], m, All, 1000);
        Assert.EndsWith("X-New: v\r\n\r\n", Headers(m));
    }

    [Fact]
    public void EnvelopeChanges_AndQuarantine_AreRecorded()
    {
        var m = Message();
        MilterEdits.Apply([
            P(MilterProtocol.ChangeFrom, "<bounce@example.org>", "SIZE=10"),
            P(MilterProtocol.AddRecipient, "<archive@example.org>"),
            P(MilterProtocol.DeleteRecipient, "<bob@example.org>"),
            P(MilterProtocol.Quarantine, "looks bad"),
        ], m, All, 1000);
        Assert.Equal("bounce@example.org", m.NewSender);
        Assert.Equal(["archive@example.org"], m.AddedRecipients);
        Assert.Equal(["bob@example.org"], m.DeletedRecipients);
        Assert.Equal("looks bad", m.QuarantineReason);
    }

    [Fact]
    public void ReplacementBody_InSeveralPackets_IsJoined_WithLineEndsMadeCrlf()
    {
        var m = Message();
        MilterEdits.Apply([P(MilterProtocol.ReplaceBody, "line 1\nli"u8.ToArray()), P(MilterProtocol.ReplaceBody, "ne 2\r\n"u8.ToArray())], m, All, 1000);
        Assert.Equal("line 1\r\nline 2\r\n", Encoding.ASCII.GetString(m.ReplacementBody!));
    }

    [Fact]
    public void ReplacementBodyOverTheSizeLimit_IsAProtocolError() =>
        Assert.Throws<MilterProtocolException>(() => MilterEdits.Apply([P(MilterProtocol.ReplaceBody, new byte[20])], Message(), All, 10));

    [Fact]
    public void AChangeNotNegotiated_IsRefused_AndNothingIsApplied()
    {
        var m = Message();
        var headersOnly = All with { Actions = MilterActions.AddHeaders };
        Assert.Throws<MilterProtocolException>(() => MilterEdits.Apply([P(MilterProtocol.AddHeader, "X-A", "1"), P(MilterProtocol.DeleteRecipient, "<b@example.org>")], m, headersOnly, 1000));
        Assert.False(m.Changed);
    }

    [Theory]
    [InlineData("<not an address>")]
    [InlineData("<a@b\r\nRCPT TO:<x@y>>")]
    public void AddedRecipientThatIsNotAMailbox_IsRefused(string rcpt) =>
        Assert.Throws<MilterProtocolException>(() => MilterEdits.Apply([P(MilterProtocol.AddRecipient, rcpt)], Message(), All, 1000));

    [Fact]
    public void HeaderNameWithAColon_IsRefused() =>
        Assert.Throws<MilterProtocolException>(() => MilterEdits.Apply([P(MilterProtocol.AddHeader, "Bad:Name", "v")], Message(), All, 1000));

    [Fact]
    public void Split_SectionEndedByANonFieldLine_KeepsThatLineOutOfTheFields()
    {
        var (fields, end) = FilteredMessageReader.Split(Encoding.ASCII.GetBytes("Subject: a\r\n"));
        Assert.Single(fields);
        Assert.Equal(12, end);
    }

    [Theory]
    [InlineData("inet:127.0.0.1:8891", true)]
    [InlineData("inet:[::1]:8891", true)]
    [InlineData("inet:localhost:8891", true)]
    [InlineData("unix:/run/opendkim/opendkim.sock", true)]
    [InlineData("local:/run/milter.sock", true)]
    [InlineData("unix:relative.sock", false)]
    [InlineData("inet:127.0.0.1", false)]
    [InlineData("inet:127.0.0.1:0", false)]
    [InlineData("tcp:127.0.0.1:25", false)]
    [InlineData("", false)]
    public void Address_PostfixNotation(string address, bool valid) =>
        Assert.Equal(valid, MilterAddress.Parse(address, out _) is not null);
}
