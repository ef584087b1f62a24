using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Postbote.Smtpd.Proxy;

namespace Postbote.Smtpd.Tests.Proxy;

/// <summary>PROXY protocol headers (HAProxy proxy-protocol.txt §2.1 text, §2.2 binary), whole and one byte at a time.</summary>
public sealed class ProxyHeaderParserTests
{
    private const int Max = 4096;

    private static ProxyParseStatus Parse(byte[] bytes, out ProxyHeader? header) =>
        ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes), Max, out header);

    /// <summary>Feeds every prefix: each must be Incomplete until the whole header, which must be Complete.</summary>
    private static ProxyHeader ParseByteAtATime(byte[] bytes)
    {
        for (int i = 1; i < bytes.Length; i++)
            Assert.Equal(ProxyParseStatus.Incomplete, ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, i), Max, out _));
        Assert.Equal(ProxyParseStatus.Complete, Parse(bytes, out var header));
        return header!;
    }

    private static byte[] V2(byte command, byte family, byte[] addresses, byte[]? tlvs = null)
    {
        tlvs ??= Array.Empty<byte>();
        var b = new List<byte> { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, (byte)(0x20 | command), family };
        int len = addresses.Length + tlvs.Length;
        b.Add((byte)(len >> 8));
        b.Add((byte)len);
        b.AddRange(addresses);
        b.AddRange(tlvs);
        return b.ToArray();
    }

    [Fact]
    public void V1Tcp4_GivesTheClientAddressAndPort_ByteAtATime()
    {
        var h = ParseByteAtATime(Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 192.0.2.1 40001 25\r\n"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40001), h.Source);
        Assert.Equal(1, h.Version);
    }

    [Fact]
    public void V1Tcp6_GivesTheClientAddress()
    {
        var bytes = Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::7 2001:db8::1 40001 25\r\nEHLO x\r\n");
        Assert.Equal(ProxyParseStatus.Complete, Parse(bytes, out var h));
        Assert.Equal(IPAddress.Parse("2001:db8::7"), h!.Source!.Address);
        Assert.Equal(bytes.Length - "EHLO x\r\n".Length, h.Length); // only the header is consumed
    }

    [Fact]
    public void V1Unknown_KeepsTheConnectionsAddress()
    {
        Assert.Equal(ProxyParseStatus.Complete, Parse(Encoding.ASCII.GetBytes("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"), out var h));
        Assert.Null(h!.Source);
        Assert.Equal(ProxyParseStatus.Complete, Parse(Encoding.ASCII.GetBytes("PROXY UNKNOWN\r\n"), out h));
        Assert.Null(h!.Source);
    }

    [Theory]
    [InlineData("EHLO client.example\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 40001\r\n")]
    [InlineData("PROXY TCP4 2001:db8::7 192.0.2.1 40001 25\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 040001 25\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 70000 25\r\n")]
    [InlineData("PROXY TCP5 203.0.113.7 192.0.2.1 1 25\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 1 25\n")]
    [InlineData("PROXY  TCP4 203.0.113.7 192.0.2.1 1 25\r\n")]
    [InlineData("GET / HTTP/1.1\r\n")]
    public void V1Garbage_IsMalformed(string text) => Assert.Equal(ProxyParseStatus.Malformed, Parse(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void V1WithoutEndOfLine_IsMalformedAt107Bytes_NotBufferedForever()
    {
        var bytes = Encoding.ASCII.GetBytes("PROXY UNKNOWN " + new string('x', 200));
        Assert.Equal(ProxyParseStatus.Incomplete, ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, 100), Max, out _));
        Assert.Equal(ProxyParseStatus.Malformed, Parse(bytes, out _));
    }

    [Fact]
    public void V2Inet_WithTlvs_SkipsTheTlvs_ByteAtATime()
    {
        byte[] addresses = [203, 0, 113, 7, 192, 0, 2, 1, 0x9C, 0x41, 0, 25];
        byte[] tlvs = [0x01, 0x00, 0x04, (byte)'s', (byte)'m', (byte)'t', (byte)'p', 0x05, 0x00, 0x02, 0xAB, 0xCD];
        var bytes = V2(1, 0x11, addresses, tlvs);
        var h = ParseByteAtATime(bytes);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40001), h.Source);
        Assert.Equal(bytes.Length, h.Length);
        Assert.Equal(2, h.Version);
    }

    [Fact]
    public void V2Inet6_GivesTheClientAddress()
    {
        var addresses = new byte[36];
        IPAddress.Parse("2001:db8::7").GetAddressBytes().CopyTo(addresses, 0);
        IPAddress.Parse("2001:db8::1").GetAddressBytes().CopyTo(addresses, 16);
        addresses[32] = 0x9C; addresses[33] = 0x41; addresses[35] = 25;
        Assert.Equal(ProxyParseStatus.Complete, Parse(V2(1, 0x21, addresses), out var h));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 40001), h!.Source);
    }

    [Fact]
    public void V2Local_KeepsTheConnectionsAddress() =>
        Assert.True(Parse(V2(0, 0x00, Array.Empty<byte>()), out var h) == ProxyParseStatus.Complete && h!.Source is null);

    [Fact]
    public void V2Broken_IsMalformed()
    {
        var good = V2(1, 0x11, [203, 0, 113, 7, 192, 0, 2, 1, 0x9C, 0x41, 0, 25]);
        var badVersion = (byte[])good.Clone(); badVersion[12] = 0x11;
        var badCommand = (byte[])good.Clone(); badCommand[12] = 0x22;
        var badSignature = (byte[])good.Clone(); badSignature[7] = 0x52;
        var tooShort = V2(1, 0x11, [203, 0, 113, 7, 192, 0, 2, 1]);
        var badFamily = V2(1, 0x41, [203, 0, 113, 7, 192, 0, 2, 1, 0x9C, 0x41, 0, 25]);
        foreach (var bytes in new[] { badVersion, badCommand, badSignature, tooShort, badFamily })
            Assert.Equal(ProxyParseStatus.Malformed, Parse(bytes, out _));
    }

    [Fact]
    public void V2LongerThanTheBound_IsMalformedFromTheFixedHeader_WithoutWaitingForTheRest()
    {
        var bytes = V2(1, 0x11, new byte[12], new byte[5000]);
        Assert.Equal(ProxyParseStatus.Malformed, ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, 16), Max, out _));
    }

    [Fact]
    public async Task Reader_TruncatedHeader_TimesOutOnTheClock_InsteadOfHanging()
    {
        var pipe = new Pipe();
        var time = new FakeTimeProvider();
        var settings = new ProxyProtocolSettings { AllowedProxies = Array.Empty<IPNetwork>(), Timeout = TimeSpan.FromSeconds(5) };
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("PROXY TCP4 203.0"));
        var read = ProxyProtocolReader.ReadAsync(pipe.Reader, settings, time, CancellationToken.None);
        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        var (header, failure) = await read.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(header);
        Assert.Equal("timeout", failure);
    }

    [Fact]
    public async Task Reader_ConsumesOnlyTheHeader_LeavingSmtpForTheSession()
    {
        var pipe = new Pipe();
        var settings = new ProxyProtocolSettings { AllowedProxies = Array.Empty<IPNetwork>() };
        var read = ProxyProtocolReader.ReadAsync(pipe.Reader, settings, new FakeTimeProvider(), CancellationToken.None);
        foreach (var b in Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 192.0.2.1 40001 25\r\nQUIT\r\n"))
            await pipe.Writer.WriteAsync(new[] { b });
        var (header, _) = await read.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(IPAddress.Parse("203.0.113.7"), header!.Source!.Address);
        var rest = await pipe.Reader.ReadAsync();
        Assert.Equal("QUIT\r\n", Encoding.ASCII.GetString(rest.Buffer.ToArray()));
    }
}
