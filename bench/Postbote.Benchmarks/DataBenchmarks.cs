using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Postbote.Core.Smtp;

namespace Postbote.Benchmarks;

/// <summary>DATA decoding (dot-unstuffing, end-of-data search) and encoding (dot-stuffing) of a message.</summary>
[MemoryDiagnoser]
public class DataBenchmarks
{
    [Params(4096, 102400)]
    public int Size;

    private byte[] _wire = Array.Empty<byte>();      // as received: dot-stuffed, with the terminator
    private byte[] _stored = Array.Empty<byte>();    // as stored
    private readonly ArrayBufferWriter<byte> _output = new(256 * 1024);

    [GlobalSetup]
    public void Setup()
    {
        var sb = new StringBuilder("From: a@example.org\r\nTo: b@example.net\r\nSubject: bench\r\n\r\n");
        int n = 0;
        while (sb.Length < Size)
            sb.Append(n++ % 10 == 0 ? ".a line that starts with a dot, stuffed on the wire\r\n" : "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\r\n");
        _stored = Encoding.ASCII.GetBytes(sb.ToString());
        var wire = new ArrayBufferWriter<byte>();
        var enc = new DataEncoder();
        enc.Encode(_stored, wire);
        enc.Complete(wire);
        _wire = wire.WrittenSpan.ToArray();
    }

    [Benchmark(Description = "DataDecoder.Decode whole message")]
    public int DecodeWhole()
    {
        _output.ResetWrittenCount();
        var decoder = new DataDecoder(long.MaxValue);
        return decoder.Decode(_wire, _output);
    }

    [Benchmark(Description = "DataDecoder.Decode in 4 KiB reads")]
    public int DecodeChunked()
    {
        _output.ResetWrittenCount();
        var decoder = new DataDecoder(long.MaxValue);
        int consumed = 0;
        for (int i = 0; i < _wire.Length && !decoder.Completed; i += 4096)
            consumed += decoder.Decode(_wire.AsSpan(i, Math.Min(4096, _wire.Length - i)), _output);
        return consumed;
    }

    [Benchmark(Description = "DataEncoder.Encode+Complete")]
    public int Encode()
    {
        _output.ResetWrittenCount();
        var encoder = new DataEncoder();
        encoder.Encode(_stored, _output);
        encoder.Complete(_output);
        return _output.WrittenCount;
    }
}
