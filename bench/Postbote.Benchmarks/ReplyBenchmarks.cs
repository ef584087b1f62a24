using BenchmarkDotNet.Attributes;
using Postbote.Core.Smtp;

namespace Postbote.Benchmarks;

/// <summary>Reply serialisation: a shared reply (cached bytes) and a per-message one (queued as ID).</summary>
[MemoryDiagnoser]
public class ReplyBenchmarks
{
    private readonly SmtpReply _multiline = new(250, null, new[] { "mx.example.org", "PIPELINING", "SIZE 52428800", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "CHUNKING" });

    [Benchmark(Description = "SmtpReply.ToBytes shared Ok (cached)")]
    public byte[] SharedOk() => SmtpReplies.Ok.ToBytes();

    [Benchmark(Description = "SmtpReply.ToBytes new 'queued as' reply")]
    public byte[] Queued() => SmtpReplies.Queued("4F3K2Q1Z0A").ToBytes();

    [Benchmark(Description = "SmtpReply.ToBytes new EHLO-like 7 lines")]
    public byte[] Multiline() => new SmtpReply(_multiline.Code, _multiline.EnhancedStatus, _multiline.Lines).ToBytes();
}
