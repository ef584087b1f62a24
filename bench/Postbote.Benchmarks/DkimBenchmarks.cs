using BenchmarkDotNet.Attributes;
using Postbote.MailAuth.Dkim;

namespace Postbote.Benchmarks;

/// <summary>
/// What DKIM signing adds to accepting a 4 KiB message (issue 12): the relaxed body hash fed in the pieces the
/// spool writer sees, and the whole signature (header copy, body hash, header canonicalisation, RSA-2048 or
/// Ed25519 signature) as the accept path makes it.
/// </summary>
[MemoryDiagnoser]
public class DkimBenchmarks
{
    private byte[] _message = [];
    private int _headerLength;
    private string _root = "";
    private DkimSigner _rsa = null!;
    private DkimSigner _ed25519 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _message = BenchmarkMessage.FourKiB();
        _headerLength = DkimHeaderFields.SectionLength(_message);
        _root = Path.Combine(Path.GetTempPath(), "postbote-bench-dkim-" + Guid.NewGuid().ToString("N")[..8]);
        var now = DateTimeOffset.UtcNow;
        new DkimKeyStore(Path.Combine(_root, "rsa")).Create("example.org", "r", DkimAlgorithm.RsaSha256, 2048, now).Dispose();
        new DkimKeyStore(Path.Combine(_root, "ed")).Create("example.org", "e", DkimAlgorithm.Ed25519Sha256, 0, now).Dispose();
        _rsa = new DkimSigner(new DkimKeyStore(Path.Combine(_root, "rsa")), new DkimOptions(), TimeProvider.System);
        _ed25519 = new DkimSigner(new DkimKeyStore(Path.Combine(_root, "ed")), new DkimOptions(), TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Description = "relaxed body hash of a 4 KiB message")]
    public byte[] BodyHash()
    {
        using var hasher = new DkimBodyHasher(DkimCanonicalization.Relaxed);
        hasher.Append(_message.AsSpan(_headerLength));
        return hasher.Finish();
    }

    [Benchmark(Description = "sign a 4 KiB message, rsa-sha256 2048 bits (capture + sign)")]
    public int SignRsa() => Sign(_rsa);

    [Benchmark(Description = "sign a 4 KiB message, ed25519-sha256 (capture + sign)")]
    public int SignEd25519() => Sign(_ed25519);

    private int Sign(DkimSigner signer)
    {
        using var capture = signer.BeginCapture()!;
        capture.AppendHeader(_message.AsSpan(0, _headerLength));
        capture.AppendBody(_message.AsSpan(_headerLength));
        return signer.Sign(capture, [], "BENCH")[0].Length;
    }
}
