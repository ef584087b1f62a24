using System.Text;
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
        var sb = new StringBuilder()
            .Append("Received: from client.example (client.example [192.0.2.1])\r\n\tby mx.example.org (Postbote) with ESMTPSA id 4F3K2Q1Z;\r\n\tSat, 28 Nov 2026 11:00:00 +0000\r\n")
            .Append("From: Alice Example <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: a benchmark message\r\n")
            .Append("Date: Sat, 28 Nov 2026 11:00:00 +0000\r\nMessage-ID: <1234.5678@example.org>\r\nMIME-Version: 1.0\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
        while (sb.Length < 4096) sb.Append("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\r\n");
        _message = Encoding.ASCII.GetBytes(sb.ToString(0, 4096));
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
