using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// Builds milter packets into one reusable buffer: <see cref="Start"/> a command, append its fields, <see cref="End"/>
/// it; several packets may be gathered and written with one send. Strings are UTF-8 and NUL-terminated.
/// </summary>
public sealed class MilterPacketBuilder
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private int _packetStart = -1;

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public void Clear() => _buffer.ResetWrittenCount();

    public MilterPacketBuilder Start(byte command)
    {
        if (_packetStart >= 0) throw new InvalidOperationException("previous packet not ended");
        _packetStart = _buffer.WrittenCount;
        _buffer.GetSpan(4);
        _buffer.Advance(4);
        _buffer.GetSpan(1)[0] = command;
        _buffer.Advance(1);
        return this;
    }

    public MilterPacketBuilder String(string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length) + 1;
        var span = _buffer.GetSpan(max);
        int n = Encoding.UTF8.GetBytes(value, span);
        // A NUL inside a value would end it early on the other side: it cannot be sent.
        for (int i = 0; i < n; i++) if (span[i] == 0) span[i] = (byte)' ';
        span[n] = 0;
        _buffer.Advance(n + 1);
        return this;
    }

    public MilterPacketBuilder Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
        return this;
    }

    public MilterPacketBuilder UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
        return this;
    }

    public MilterPacketBuilder UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public MilterPacketBuilder Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
        return this;
    }

    /// <summary>Ends the packet: its length is written in front of it.</summary>
    public MilterPacketBuilder End()
    {
        if (_packetStart < 0) throw new InvalidOperationException("no packet started");
        int length = _buffer.WrittenCount - _packetStart - 4;
        // The written memory is contiguous: patch the length in place.
        var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(_buffer.WrittenMemory);
        BinaryPrimitives.WriteUInt32BigEndian(written.Span.Slice(_packetStart, 4), (uint)length);
        _packetStart = -1;
        return this;
    }
}
