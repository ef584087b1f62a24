using System.Buffers.Binary;
using System.Text;

namespace Postbote.Smtpd.Filters;

/// <summary>One packet from a filter: its response byte and data, with readers for the fields it carries.</summary>
public readonly record struct MilterPacket(byte Command, ReadOnlyMemory<byte> Data)
{
    /// <summary>The response byte as a printable character for logs ('r', 'h', or a hex code).</summary>
    public string CommandName => Command is >= 0x20 and < 0x7F ? ((char)Command).ToString() : $"0x{Command:x2}";

    /// <summary>A reader over the data, field by field.</summary>
    public MilterFieldReader Fields() => new(Data);
}

/// <summary>Reads NUL-terminated strings and big-endian integers from a packet's data; a short field is a protocol error.</summary>
public struct MilterFieldReader
{
    private ReadOnlyMemory<byte> _rest;

    public MilterFieldReader(ReadOnlyMemory<byte> data) => _rest = data;

    public readonly bool End => _rest.IsEmpty;
    public readonly ReadOnlyMemory<byte> Rest => _rest;

    public uint UInt32()
    {
        if (_rest.Length < 4) throw new MilterProtocolException("packet too short for a 32-bit field");
        uint value = BinaryPrimitives.ReadUInt32BigEndian(_rest.Span);
        _rest = _rest[4..];
        return value;
    }

    /// <summary>The next NUL-terminated string; <paramref name="required"/> false lets the last one lack its NUL.</summary>
    public string String(bool required = true)
    {
        int nul = _rest.Span.IndexOf((byte)0);
        if (nul < 0)
        {
            if (required) throw new MilterProtocolException("string field not NUL-terminated");
            var last = Encoding.UTF8.GetString(_rest.Span);
            _rest = ReadOnlyMemory<byte>.Empty;
            return last;
        }
        var s = Encoding.UTF8.GetString(_rest.Span[..nul]);
        _rest = _rest[(nul + 1)..];
        return s;
    }
}

/// <summary>The peer broke the milter protocol (bad framing, an unknown or misplaced response): the filter has failed.</summary>
public sealed class MilterProtocolException(string message) : Exception(message);
