using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Postbote.MailAuth.Dkim;

namespace Postbote.MailAuth.Tests.Dkim;

/// <summary>RFC 6376 §3.4: header and body canonicalisation, the body fed whole, line by line and one octet at a time.</summary>
public sealed class DkimCanonicalizationTests
{
    // RFC 6376 §3.4.5, with <SP>, <TAB> and <CRLF> written out.
    private const string ExampleHeaderA = "A: X\r\n";
    private const string ExampleHeaderB = "B : Y\t\r\n\tZ  \r\n";
    private const string ExampleBody = " C \r\nD \t E\r\n\r\n\r\n";

    public enum Feeding { Whole, LineByLine, OctetByOctet, TwoOctets }

    private static string CanonicalHeader(DkimCanonicalization mode, string field)
    {
        var output = new ArrayBufferWriter<byte>();
        DkimHeaderCanonicalizer.Canonicalize(mode, Encoding.ASCII.GetBytes(field), output);
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }

    private static (byte[] Hash, long Length) BodyHash(DkimCanonicalization mode, string body, Feeding feeding, long limit = -1)
    {
        using var hasher = new DkimBodyHasher(mode, limit);
        var bytes = Encoding.ASCII.GetBytes(body);
        switch (feeding)
        {
            case Feeding.Whole: hasher.Append(bytes); break;
            case Feeding.OctetByOctet: for (int i = 0; i < bytes.Length; i++) hasher.Append(bytes.AsSpan(i, 1)); break;
            case Feeding.TwoOctets: for (int i = 0; i < bytes.Length; i += 2) hasher.Append(bytes.AsSpan(i, Math.Min(2, bytes.Length - i))); break;
            default:
                int start = 0;
                while (start < bytes.Length)
                {
                    int lf = Array.IndexOf(bytes, (byte)'\n', start);
                    int end = lf < 0 ? bytes.Length : lf + 1;
                    hasher.Append(bytes.AsSpan(start, end - start));
                    start = end;
                }
                break;
        }
        var hash = hasher.Finish();
        return (hash, hasher.CanonicalLength);
    }

    private static byte[] Sha256(string canonical) => SHA256.HashData(Encoding.ASCII.GetBytes(canonical));

    [Fact]
    public void Rfc6376_3_4_5_relaxed_headers()
    {
        Assert.Equal("a:X\r\n", CanonicalHeader(DkimCanonicalization.Relaxed, ExampleHeaderA));
        Assert.Equal("b:Y Z\r\n", CanonicalHeader(DkimCanonicalization.Relaxed, ExampleHeaderB));
    }

    [Fact]
    public void Rfc6376_3_4_5_simple_headers_are_unchanged()
    {
        Assert.Equal(ExampleHeaderA, CanonicalHeader(DkimCanonicalization.Simple, ExampleHeaderA));
        Assert.Equal(ExampleHeaderB, CanonicalHeader(DkimCanonicalization.Simple, ExampleHeaderB));
    }

    [Theory]
    [InlineData(Feeding.Whole)]
    [InlineData(Feeding.LineByLine)]
    [InlineData(Feeding.OctetByOctet)]
    [InlineData(Feeding.TwoOctets)]
    public void Rfc6376_3_4_5_relaxed_body(Feeding feeding)
    {
        var (hash, length) = BodyHash(DkimCanonicalization.Relaxed, ExampleBody, feeding);
        Assert.Equal(Sha256(" C\r\nD E\r\n"), hash);
        Assert.Equal(9, length);
    }

    [Theory]
    [InlineData(Feeding.Whole)]
    [InlineData(Feeding.LineByLine)]
    [InlineData(Feeding.OctetByOctet)]
    [InlineData(Feeding.TwoOctets)]
    public void Rfc6376_3_4_5_simple_body(Feeding feeding)
        => Assert.Equal(Sha256(" C \r\nD \t E\r\n"), BodyHash(DkimCanonicalization.Simple, ExampleBody, feeding).Hash);

    [Theory]
    [InlineData(DkimCanonicalization.Relaxed, "", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")] // SHA-256 of nothing (RFC 6376 erratum 3192)
    [InlineData(DkimCanonicalization.Relaxed, "\r\n\r\n \t\r\n", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")]
    [InlineData(DkimCanonicalization.Simple, "", "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=")] // SHA-256 of one CRLF (§3.4.3)
    [InlineData(DkimCanonicalization.Simple, "\r\n\r\n\r\n", "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=")]
    public void Empty_bodies_hash_as_rfc6376_3_4_says(DkimCanonicalization mode, string body, string expected)
    {
        foreach (var feeding in Enum.GetValues<Feeding>())
            Assert.Equal(expected, Convert.ToBase64String(BodyHash(mode, body, feeding).Hash));
    }

    [Theory]
    [InlineData(DkimCanonicalization.Relaxed, "last line", "last line\r\n")]
    [InlineData(DkimCanonicalization.Simple, "last line", "last line\r\n")]
    [InlineData(DkimCanonicalization.Relaxed, "a\r\n\r\nb \r\n\r\n", "a\r\n\r\nb\r\n")] // an inner empty line stays
    [InlineData(DkimCanonicalization.Relaxed, "a\rb\r\n", "a\rb\r\n")] // a lone CR is an octet like any other
    [InlineData(DkimCanonicalization.Simple, "a\r", "a\r\r\n")]
    [InlineData(DkimCanonicalization.Relaxed, "  lead\t \tin  \r\n", " lead in\r\n")]
    [InlineData(DkimCanonicalization.Simple, "  \r\n\r\n", "  \r\n")] // simple keeps a line of spaces
    public void Body_canonicalisation_cases(DkimCanonicalization mode, string body, string canonical)
    {
        foreach (var feeding in Enum.GetValues<Feeding>())
        {
            var (hash, length) = BodyHash(mode, body, feeding);
            Assert.Equal(Sha256(canonical), hash);
            Assert.Equal(canonical.Length, length);
        }
    }

    [Theory]
    [InlineData(Feeding.Whole)]
    [InlineData(Feeding.OctetByOctet)]
    public void Body_length_limit_hashes_only_the_first_l_canonical_octets(Feeding feeding)
    {
        var (hash, length) = BodyHash(DkimCanonicalization.Relaxed, ExampleBody + "appended by a list\r\n", feeding, limit: 9);
        Assert.Equal(Sha256(" C\r\nD E\r\n"), hash);
        Assert.Equal(9 + 4 + "appended by a list\r\n".Length, length); // the two empty lines count once content follows
    }

    [Fact]
    public void A_large_body_in_odd_chunks_hashes_as_a_whole()
    {
        var line = new string('x', 77) + " \t y\r\n";
        var body = string.Concat(Enumerable.Repeat(line, 2000)) + "\r\n\r\n";
        var whole = BodyHash(DkimCanonicalization.Relaxed, body, Feeding.Whole).Hash;
        using var hasher = new DkimBodyHasher(DkimCanonicalization.Relaxed);
        var bytes = Encoding.ASCII.GetBytes(body);
        for (int i = 0, step = 1; i < bytes.Length; i += step, step = step % 4999 + 7)
            hasher.Append(bytes.AsSpan(i, Math.Min(step, bytes.Length - i)));
        Assert.Equal(whole, hasher.Finish());
        Assert.Equal(Sha256(string.Concat(Enumerable.Repeat(new string('x', 77) + " y\r\n", 2000))), whole);
    }
}
