using System.Buffers.Binary;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// Reads packets from a filter's stream. A length over <see cref="MaxPacketBytes"/> (an HTTP server's "HTTP/1.1"
/// reads as 1.2 GB) or of zero is refused as a protocol error before anything is allocated for it.
/// </summary>
public sealed class MilterPacketReader
{
    /// <summary>libmilter sends at most 64 KiB of body per packet; headers and replies are smaller. 1 MiB leaves room.</summary>
    public const int MaxPacketBytes = 1024 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _length = new byte[4];

    public MilterPacketReader(Stream stream) => _stream = stream;

    /// <summary>The next packet; EndOfStreamException when the filter closes the connection.</summary>
    public async ValueTask<MilterPacket> ReadAsync(CancellationToken cancellationToken)
    {
        await _stream.ReadExactlyAsync(_length, cancellationToken).ConfigureAwait(false);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(_length);
        if (length == 0 || length > MaxPacketBytes)
            throw new MilterProtocolException($"bad packet length {length} (bytes {Printable(_length)}): not a milter?");
        var packet = new byte[length];
        await _stream.ReadExactlyAsync(packet, cancellationToken).ConfigureAwait(false);
        return new MilterPacket(packet[0], packet.AsMemory(1));
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '.';
        return "\"" + new string(chars) + "\"";
    }
}
