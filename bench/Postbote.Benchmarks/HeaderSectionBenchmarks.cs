using BenchmarkDotNet.Attributes;
using Postbote.Core.Smtp;

namespace Postbote.Benchmarks;

/// <summary>
/// The header-section pass of the accept path over a 4 KiB message, fed in the 4 KiB pieces the spool writer sees,
/// then the field look-ups the submission checks make (From:, Sender:, Message-ID:, Date:).
/// </summary>
[MemoryDiagnoser]
public class HeaderSectionBenchmarks
{
    private byte[] _message = Array.Empty<byte>();

    [GlobalSetup]
    public void Setup()
    {
        _message = BenchmarkMessage.FourKiB();
    }

    [Benchmark(Description = "header section of a 4 KiB message: scan + From/Sender/Message-ID/Date")]
    public int ScanAndLookUp()
    {
        var headers = new HeaderSectionParser();
        headers.Scan(_message);
        int n = headers.ReceivedCount;
        n += headers.From.Value?.Length ?? 0;
        n += headers.Sender.Value?.Length ?? 0;
        n += headers.MessageId.Count;
        n += headers.Date.Count;
        return n;
    }
}
