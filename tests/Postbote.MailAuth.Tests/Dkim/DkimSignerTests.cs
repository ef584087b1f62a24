using System.Text;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MimeKit.Cryptography;
using Postbote.MailAuth.Dkim;
using DkimSigner = Postbote.MailAuth.Dkim.DkimSigner;
using DkimVerifier = MimeKit.Cryptography.DkimVerifier;

namespace Postbote.MailAuth.Tests.Dkim;

/// <summary>Signatures we make, checked by MimeKit's DkimVerifier (an implementation that is not ours).</summary>
public sealed class DkimSignerTests : IDisposable
{
    private const string Message =
        "Received: from client (client [192.0.2.1])\r\n\tby mx.example.org (Postbote) with ESMTPSA id 06B1Q2TM7QGY; Fri, 4 Dec 2026 10:00:00 +0000\r\n" +
        "From: Alice <alice@example.org>\r\n" +
        "To: bob@example.net,\r\n  carol@example.net\r\n" +
        "Subject:   Lunch   on\tFriday \r\n" +
        "Date: Fri, 4 Dec 2026 10:00:00 +0000\r\n" +
        "Message-ID: <1@example.org>\r\n" +
        "\r\n" +
        "Hello Bob,  \r\n\r\nsee you there.\r\n\r\n\r\n";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "postbote-dkim-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
    private readonly DkimTestKeys _dns = new();
    private readonly DkimKeyStore _store;

    public DkimSignerTests() => _store = new DkimKeyStore(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private DkimSigningKey Key(string domain, string selector, DkimAlgorithm algorithm = DkimAlgorithm.RsaSha256)
    {
        var key = _store.Create(domain, selector, algorithm, 2048, _time.GetUtcNow());
        _dns.Publish(key);
        return key;
    }

    private DkimSigner Signer() => new(_store, new DkimOptions(), _time);

    /// <summary>Feeds the message through a capture as the spool's writer does, in pieces of <paramref name="chunk"/> octets.</summary>
    private static IReadOnlyList<string> SignStreamed(DkimSigner signer, string message, int chunk, IReadOnlyList<string>? prepended = null)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        int headerLength = DkimHeaderFields.SectionLength(bytes);
        using var capture = signer.BeginCapture()!;
        for (int i = 0; i < bytes.Length; i += chunk)
        {
            int end = Math.Min(bytes.Length, i + chunk);
            if (i < headerLength) capture.AppendHeader(bytes.AsSpan(i, Math.Min(end, headerLength) - i));
            if (end > headerLength) capture.AppendBody(bytes.AsSpan(Math.Max(i, headerLength), end - Math.Max(i, headerLength)));
        }
        return signer.Sign(capture, prepended ?? [], "TESTID");
    }

    private bool[] Verify(string delivered)
    {
        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(delivered)));
        var verifier = new DkimVerifier(_dns);
        verifier.Enable(DkimSignatureAlgorithm.Ed25519Sha256);
        return message.Headers.Where(h => h.Id == HeaderId.DkimSignature).Select(h => verifier.Verify(message, h)).ToArray();
    }

    [Fact]
    public void A_signed_message_verifies_with_mimekit()
    {
        using var _ = Key("example.org", "pb202612");
        var signatures = Signer().SignMessage(Encoding.UTF8.GetBytes(Message), "TESTID");
        var signature = Assert.Single(signatures);
        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;", signature);
        Assert.Contains("t=1796378400;", signature);
        Assert.Contains("h=from:from:subject:date:to:message-id;", signature.Replace("\r\n\t", ""));
        Assert.DoesNotContain("l=", signature);
        Assert.EndsWith("\r\n", signature);
        Assert.All(signature.Split("\r\n")[..^1], line => Assert.True(line.Length <= 78, line));
        Assert.Equal([true], Verify(signature + Message));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Streamed_in_pieces_the_signature_verifies(int chunk)
    {
        using var _ = Key("example.org", "s1");
        var signature = Assert.Single(SignStreamed(Signer(), Message, chunk));
        Assert.Equal([true], Verify(signature + Message));
    }

    [Fact]
    public void Fields_we_prepend_at_delivery_are_signed_with_the_message()
    {
        using var _ = Key("example.org", "s1");
        var noId = Message.Replace("Message-ID: <1@example.org>\r\n", "");
        string[] prepended = ["Message-ID: <added@mx.example.org>\r\n"];
        var signature = Assert.Single(SignStreamed(Signer(), noId, 100, prepended));
        Assert.Contains(":message-id", signature.Replace("\r\n\t", ""));
        Assert.Equal([true], Verify(signature + prepended[0] + noId));
        Assert.Equal([false], Verify(signature + "Message-ID: <other@mx.example.org>\r\n" + noId));
    }

    [Fact]
    public void Tampered_body_or_header_fails_verification()
    {
        using var _ = Key("example.org", "s1");
        var signature = Assert.Single(Signer().SignMessage(Encoding.UTF8.GetBytes(Message), "TESTID"));
        Assert.Equal([false], Verify(signature + Message.Replace("see you", "pay me")));
        Assert.Equal([false], Verify(signature + Message.Replace("Lunch", "Dinner")));
        // From oversigned: a second From: added above the signed one breaks the signature.
        Assert.Equal([false], Verify(signature + "From: mallory@example.org\r\n" + Message));
    }

    [Fact]
    public void Rsa_and_ed25519_keys_both_sign_dual_signing_rfc8463()
    {
        using var rsa = Key("example.org", "r1");
        using var ed = Key("example.org", "e1", DkimAlgorithm.Ed25519Sha256);
        var signatures = Signer().SignMessage(Encoding.UTF8.GetBytes(Message), "TESTID");
        Assert.Equal(2, signatures.Count);
        Assert.Contains("a=rsa-sha256", signatures[0]);
        Assert.Contains("a=ed25519-sha256", signatures[1]);
        Assert.Equal([true, true], Verify(string.Concat(signatures) + Message));
    }

    [Fact]
    public void A_subdomain_is_signed_with_its_parent_domains_key()
    {
        using var _ = Key("example.org", "s1");
        var message = Message.Replace("alice@example.org", "alice@news.example.org");
        var signature = Assert.Single(Signer().SignMessage(Encoding.UTF8.GetBytes(message), "TESTID"));
        Assert.Contains("d=example.org;", signature);
        Assert.Equal([true], Verify(signature + message));
    }

    [Fact]
    public void After_rotation_the_old_key_keeps_signing_until_it_is_removed()
    {
        using var old = Key("example.org", "old");
        using var fresh = Key("example.org", "new");
        // The store dates a key by its file; "old" was made a year before the rotation.
        File.SetLastWriteTimeUtc(Path.Combine(_root, "example.org", "old.key"), DateTime.UtcNow.AddYears(-1));
        var signer = Signer();
        Assert.Contains("s=old;", Assert.Single(signer.SignMessage(Encoding.UTF8.GetBytes(Message), "T")));
        _store.Remove("example.org", "old");
        _time.Advance(new DkimOptions().KeyReloadInterval);
        Assert.Contains("s=new;", Assert.Single(signer.SignMessage(Encoding.UTF8.GetBytes(Message), "T")));
    }

    [Theory]
    [InlineData("From: alice@other.example\r\n")] // no key for the domain
    [InlineData("From: alice@example.org\r\nFrom: eve@example.org\r\n")] // not exactly one From:
    [InlineData("")] // no From:
    public void Not_signed_without_a_key_for_the_single_from_domain(string from)
    {
        using var _ = Key("example.org", "s1");
        var message = Message.Replace("From: Alice <alice@example.org>\r\n", from);
        Assert.Empty(Signer().SignMessage(Encoding.UTF8.GetBytes(message), "TESTID"));
    }

    [Fact]
    public void Without_keys_nothing_is_captured()
    {
        Assert.Null(Signer().BeginCapture());
        Assert.False(Signer().IsActive);
    }

    [Fact]
    public void A_header_section_over_the_limit_is_not_signed()
    {
        using var _ = Key("example.org", "s1");
        var signer = new DkimSigner(_store, new DkimOptions { MaxHeaderBytes = 1024 }, _time);
        var message = "X-Long: " + new string('a', 2000) + "\r\n" + Message;
        Assert.Empty(SignStreamed(signer, message, 512));
    }

    [Fact]
    public async Task Sessions_signing_at_once_with_one_key_all_verify()
    {
        using var _ = Key("example.org", "s1");
        var signer = Signer();
        var bytes = Encoding.UTF8.GetBytes(Message);
        var signatures = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 10).Select(_ => Assert.Single(signer.SignMessage(bytes, "T"))).ToList())));
        Assert.All(signatures.SelectMany(s => s), signature => Assert.Equal([true], Verify(signature + Message)));
    }
}
