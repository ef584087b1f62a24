using System.Text;
using Microsoft.Extensions.Time.Testing;
using Postbote.Dns;
using Postbote.MailAuth.Dkim;
using Postbote.TestSupport;

namespace Postbote.MailAuth.Tests.Dkim;

/// <summary>RFC 6376 §6, RFC 8301, RFC 8463: our verifier, keys served by a test DNS server on loopback.</summary>
public sealed class DkimVerifierTests : IDisposable
{
    private const string Message =
        "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: verify me\r\nDate: Fri, 4 Dec 2026 10:00:00 +0000\r\n\r\n" +
        "Hello  Bob,\r\n\r\nsigned body.\r\n";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "postbote-dkimv-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
    private readonly TestDnsServer _dns = new();
    private readonly DkimKeyStore _store;

    public DkimVerifierTests() => _store = new DkimKeyStore(_root);

    public void Dispose()
    {
        _dns.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private DkimVerifier Verifier() => new(new DnsResolver(new DnsOptions { Servers = [_dns.Endpoint], QueryTimeout = TimeSpan.FromSeconds(2) }), _time);

    // 1024-bit RSA keys here: their record fits one TXT string, all TestDnsServer.AddTxt serves.
    private void Publish(DkimSigningKey key) => _dns.AddTxt(key.RecordName, key.TxtRecord);

    private string Signed(string message = Message)
    {
        var signer = new Postbote.MailAuth.Dkim.DkimSigner(_store, new DkimOptions(), _time);
        return string.Concat(signer.SignMessage(Encoding.UTF8.GetBytes(message), "T")) + message;
    }

    private async Task<IReadOnlyList<DkimCheck>> VerifyAsync(string message, DkimVerifier? verifier = null) =>
        await (verifier ?? Verifier()).VerifyAsync(Encoding.UTF8.GetBytes(message), CancellationToken.None);

    [Fact]
    public async Task Our_rsa_and_ed25519_signatures_pass()
    {
        using var rsa = _store.Create("example.org", "r", DkimAlgorithm.RsaSha256, 1024, _time.GetUtcNow());
        using var ed = _store.Create("example.org", "e", DkimAlgorithm.Ed25519Sha256, 0, _time.GetUtcNow());
        Publish(rsa);
        Publish(ed);
        var checks = await VerifyAsync(Signed());
        Assert.Equal([DkimResult.Pass, DkimResult.Pass], checks.Select(c => c.Result));
        Assert.Equal(["rsa-sha256", "ed25519-sha256"], checks.Select(c => c.Algorithm));
        Assert.All(checks, c => Assert.Equal("example.org", c.Domain));
    }

    [Fact]
    public async Task Body_streamed_in_pieces_verifies_as_whole()
    {
        using var key = _store.Create("example.org", "r", DkimAlgorithm.RsaSha256, 1024, _time.GetUtcNow());
        Publish(key);
        var bytes = Encoding.UTF8.GetBytes(Signed());
        int headerLength = DkimHeaderFields.SectionLength(bytes);
        using var verification = Verifier().Begin(bytes.AsSpan(0, headerLength));
        for (int i = headerLength; i < bytes.Length; i++) verification.AppendBody(bytes.AsSpan(i, 1));
        Assert.Equal(DkimResult.Pass, Assert.Single(await verification.FinishAsync(CancellationToken.None)).Result);
    }

    [Fact]
    public async Task Tampered_body_and_header_fail_with_the_reason()
    {
        using var key = _store.Create("example.org", "r", DkimAlgorithm.RsaSha256, 1024, _time.GetUtcNow());
        Publish(key);
        var signed = Signed();
        var body = Assert.Single(await VerifyAsync(signed.Replace("signed body", "forged body")));
        Assert.Equal((DkimResult.Fail, "body hash did not verify"), (body.Result, body.Reason));
        var header = Assert.Single(await VerifyAsync(signed.Replace("Subject: verify me", "Subject: pay me")));
        Assert.Equal((DkimResult.Fail, "signature did not verify"), (header.Result, header.Reason));
    }

    [Fact]
    public async Task Rsa_sha1_fails_rfc8301_3_1()
    {
        using var key = _store.Create("example.org", "r", DkimAlgorithm.RsaSha256, 1024, _time.GetUtcNow());
        Publish(key);
        var check = Assert.Single(await VerifyAsync(Signed().Replace("a=rsa-sha256", "a=rsa-sha1")));
        Assert.Equal(DkimResult.Fail, check.Result);
        Assert.Contains("RFC 8301", check.Reason);
    }

    [Fact]
    public async Task Rsa_key_under_1024_bits_fails_rfc8301_3_2()
    {
        using var weak = DkimSigningKey.Generate("example.org", "weak", DkimAlgorithm.RsaSha256, 512, _time.GetUtcNow());
        Directory.CreateDirectory(Path.Combine(_root, "example.org"));
        await File.WriteAllTextAsync(Path.Combine(_root, "example.org", "weak.key"), weak.ToPem());
        Publish(weak);
        var check = Assert.Single(await VerifyAsync(Signed()));
        Assert.Equal(DkimResult.Fail, check.Result);
        Assert.Contains("512 bits is too short", check.Reason);
    }

    [Fact]
    public async Task Missing_key_is_permerror_and_servfail_is_temperror()
    {
        using var key = _store.Create("example.org", "r", DkimAlgorithm.RsaSha256, 1024, _time.GetUtcNow());
        var signed = Signed();
        _dns.SetNxDomain(key.RecordName);
        Assert.Equal(DkimResult.PermError, Assert.Single(await VerifyAsync(signed)).Result);
        _dns.SetServFail(key.RecordName);
        Assert.Equal(DkimResult.TempError, Assert.Single(await VerifyAsync(signed)).Result);
    }

    [Fact]
    public async Task Revoked_key_and_expired_signature_do_not_pass()
    {
        using var key = _store.Create("example.org", "r", DkimAlgorithm.RsaSha256, 1024, _time.GetUtcNow());
        _dns.AddTxt(key.RecordName, "v=DKIM1; k=rsa; p=");
        var revoked = Assert.Single(await VerifyAsync(Signed()));
        Assert.Equal((DkimResult.PermError, "key revoked"), (revoked.Result, revoked.Reason));
        var expired = Assert.Single(await VerifyAsync(Signed().Replace("; t=", "; x=1000; t=")));
        Assert.Equal((DkimResult.Fail, "signature expired"), (expired.Result, expired.Reason));
    }

    [Theory]
    [InlineData("v=1; a=rsa-sha256; d=example.org; s=r; h=to:subject; bh=AAAA; b=AAAA", "From: not signed")]
    [InlineData("v=1; a=rsa-sha256; d=example.org; s=r; h=from; b=AAAA", "signature without bh=")]
    [InlineData("v=2; a=rsa-sha256; d=example.org; s=r; h=from; bh=AAAA; b=AAAA", "signature version")]
    [InlineData("v=1; a=rsa-sha256; d=example.org; i=@evil.example; s=r; h=from; bh=AAAA; b=AAAA", "i= not within d=")]
    [InlineData("v=1; v=1; a=rsa-sha256", "signature syntax")]
    public async Task Malformed_signatures_are_permerrors_rfc6376_6_1_1(string tags, string reason)
    {
        var check = Assert.Single(await VerifyAsync("DKIM-Signature: " + tags + "\r\n" + Message));
        Assert.Equal((DkimResult.PermError, reason), (check.Result, check.Reason));
    }

    [Fact]
    public async Task At_most_five_signatures_are_checked()
    {
        var junk = string.Concat(Enumerable.Repeat("DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=r; h=to; bh=AAAA; b=AAAA\r\n", 7));
        var checks = await VerifyAsync(junk + Message);
        Assert.Equal(7, checks.Count);
        Assert.Equal(5, checks.Count(c => c.Result == DkimResult.PermError));
        Assert.Equal(2, checks.Count(c => c.Result == DkimResult.Neutral));
    }
}
