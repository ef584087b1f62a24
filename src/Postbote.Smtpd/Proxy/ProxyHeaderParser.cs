using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Postbote.Smtpd.Proxy;

/// <summary>
/// Parses PROXY protocol v1 ("PROXY TCP4 src dst sport dport\r\n") and v2 (binary, TLVs skipped) headers
/// (HAProxy proxy-protocol.txt). Pure: bytes in, a status out; fed again with more bytes until it decides.
/// </summary>
public static class ProxyHeaderParser
{
    /// <summary>The v2 signature, §2.2: \r\n\r\n\0\r\nQUIT\n.</summary>
    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;
    /// <summary>§2.1: a v1 line is at most 107 bytes including the CRLF.</summary>
    public const int V1MaxLength = 107;

    public static ProxyParseStatus TryParse(ReadOnlySequence<byte> input, int maxHeaderBytes, out ProxyHeader? header)
    {
        header = null;
        if (input.Length == 0) return ProxyParseStatus.Incomplete;
        Span<byte> head = stackalloc byte[16];
        int n = (int)Math.Min(input.Length, 16);
        input.Slice(0, n).CopyTo(head);
        head = head[..n];
        if (head[0] == (byte)'P') return ParseV1(input, head, out header);
        if (head[0] == 0x0D) return ParseV2(input, head, maxHeaderBytes, out header);
        return ProxyParseStatus.Malformed;
    }

    private static ProxyParseStatus ParseV1(ReadOnlySequence<byte> input, ReadOnlySpan<byte> head, out ProxyHeader? header)
    {
        header = null;
        int p = Math.Min(head.Length, V1Prefix.Length);
        if (!head[..p].SequenceEqual(V1Prefix[..p])) return ProxyParseStatus.Malformed;
        var lf = input.PositionOf((byte)'\n');
        if (lf is null) return input.Length >= V1MaxLength ? ProxyParseStatus.Malformed : ProxyParseStatus.Incomplete;
        int length = (int)input.Slice(0, lf.Value).Length + 1;
        if (length > V1MaxLength || length < 2) return ProxyParseStatus.Malformed;
        Span<byte> line = stackalloc byte[V1MaxLength];
        input.Slice(0, length).CopyTo(line);
        if (line[length - 2] != (byte)'\r') return ProxyParseStatus.Malformed;
        foreach (var b in line[..(length - 2)])
            if (b is < 0x20 or > 0x7E) return ProxyParseStatus.Malformed;
        var parts = Encoding.ASCII.GetString(line[V1Prefix.Length..(length - 2)]).Split(' ');
        if (parts[0] == "UNKNOWN")
        {
            header = new ProxyHeader(null, length, 1); // §2.1: the rest of the line is ignored
            return ProxyParseStatus.Complete;
        }
        if (parts.Length != 5 || parts[0] is not ("TCP4" or "TCP6")) return ProxyParseStatus.Malformed;
        var family = parts[0] == "TCP4" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (!IPAddress.TryParse(parts[1], out var src) || src.AddressFamily != family) return ProxyParseStatus.Malformed;
        if (!IPAddress.TryParse(parts[2], out var dst) || dst.AddressFamily != family) return ProxyParseStatus.Malformed;
        if (!IsPort(parts[3], out int sport) || !IsPort(parts[4], out _)) return ProxyParseStatus.Malformed;
        header = new ProxyHeader(new IPEndPoint(src, sport), length, 1);
        return ProxyParseStatus.Complete;
    }

    /// <summary>§2.1: ports are decimal 0..65535 without leading zeros.</summary>
    private static bool IsPort(string s, out int port)
    {
        port = 0;
        if (s.Length is 0 or > 5 || (s.Length > 1 && s[0] == '0')) return false;
        foreach (var c in s) if (c is < '0' or > '9') return false;
        port = int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        return port <= 65535;
    }

    private static ProxyParseStatus ParseV2(ReadOnlySequence<byte> input, ReadOnlySpan<byte> head, int maxHeaderBytes, out ProxyHeader? header)
    {
        header = null;
        int p = Math.Min(head.Length, V2Signature.Length);
        if (!head[..p].SequenceEqual(V2Signature[..p])) return ProxyParseStatus.Malformed;
        if (head.Length > 12 && (head[12] >> 4) != 2) return ProxyParseStatus.Malformed; // version 2
        if (head.Length > 12 && (head[12] & 0x0F) > 1) return ProxyParseStatus.Malformed; // LOCAL or PROXY
        if (head.Length < 16) return ProxyParseStatus.Incomplete;
        int payload = BinaryPrimitives.ReadUInt16BigEndian(head[14..16]);
        int length = 16 + payload;
        if (length > maxHeaderBytes) return ProxyParseStatus.Malformed;
        if (input.Length < length) return ProxyParseStatus.Incomplete;
        bool local = (head[12] & 0x0F) == 0;
        int family = head[13] >> 4, transport = head[13] & 0x0F;
        if (local || family is 0 or 3 || transport == 0)
        {
            // LOCAL (health check), AF_UNSPEC or AF_UNIX: keep the connection's own address (§2.2).
            if (family > 3 || transport > 2) return ProxyParseStatus.Malformed;
            header = new ProxyHeader(null, length, 2);
            return ProxyParseStatus.Complete;
        }
        if (transport > 2) return ProxyParseStatus.Malformed;
        int addrLen = family switch { 1 => 4, 2 => 16, _ => -1 };
        if (addrLen < 0 || payload < 2 * addrLen + 4) return ProxyParseStatus.Malformed;
        Span<byte> addresses = stackalloc byte[36];
        input.Slice(16, 2 * addrLen + 4).CopyTo(addresses);
        var src = new IPAddress(addresses[..addrLen]);
        int sport = BinaryPrimitives.ReadUInt16BigEndian(addresses.Slice(2 * addrLen, 2));
        // The TLVs after the addresses (ALPN, authority, SSL, unique id...) are not used: skipped as part of the length.
        header = new ProxyHeader(new IPEndPoint(src, sport), length, 2);
        return ProxyParseStatus.Complete;
    }
}
