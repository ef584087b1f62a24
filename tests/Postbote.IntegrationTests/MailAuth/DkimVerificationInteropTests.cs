using System.Security.Cryptography;
using System.Text;
using Postbote.Dns;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.MailAuth.Dkim;
using Postbote.TestSupport;

namespace Postbote.IntegrationTests.MailAuth;

/// <summary>
/// Issue 12: messages signed by an independent signer, python3-dkim (dkimpy), verify in Postbote's verifier with the
/// key served by a test DNS server on loopback; tampering fails; l= is honoured and reported; OpenDKIM's rsa-sha1
/// signature fails (RFC 8301).
/// </summary>
public sealed class DkimVerificationInteropTests : IDisposable
{
    private const string Message =
        "From: Alice <alice@signer.example>\r\nTo: bob@test.local\r\nSubject: signed elsewhere\r\nDate: Fri, 4 Dec 2026 10:00:00 +0000\r\n" +
        "Message-ID: <interop@signer.example>\r\n\r\nHello Bob,  \r\n\r\nthis was signed by another program.\r\n";

    private readonly TestDnsServer _dns = new();
    private readonly RSA _key = RSA.Create(1024); // its record fits one TXT string, as TestDnsServer.AddTxt serves it
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "postbote-dkim-interop-" + Guid.NewGuid().ToString("N")[..10]);

    public DkimVerificationInteropTests()
    {
        System.IO.Directory.CreateDirectory(_dir);
        File.WriteAllText(KeyFile, _key.ExportRSAPrivateKeyPem());
        _dns.AddTxt("sel._domainkey.signer.example", "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo()));
    }

    private string KeyFile => Path.Combine(_dir, "sel.pem");

    public void Dispose()
    {
        _dns.Dispose();
        _key.Dispose();
        System.IO.Directory.Delete(_dir, recursive: true);
    }

    private async Task<IReadOnlyList<DkimCheck>> VerifyAsync(string message) =>
        await new DkimVerifier(new DnsResolver(new DnsOptions { Servers = [_dns.Endpoint], QueryTimeout = TimeSpan.FromSeconds(2) }), TimeProvider.System)
            .VerifyAsync(Encoding.UTF8.GetBytes(message), CancellationToken.None);

    private async Task<string> DkimPySignAsync(string canonicalization, bool length)
    {
        var script = $"""
            import sys, dkim
            message = open(sys.argv[1], 'rb').read()
            key = open(sys.argv[2], 'rb').read()
            c = tuple(x.encode() for x in '{canonicalization}'.split('/'))
            sig = dkim.sign(message, b'sel', b'signer.example', key, canonicalize=c, length={(length ? "True" : "False")},
                            include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
            sys.stdout.buffer.write(sig)
            """;
        var messageFile = Path.Combine(_dir, "message.eml");
        var scriptFile = Path.Combine(_dir, "sign.py");
        await File.WriteAllTextAsync(messageFile, Message);
        await File.WriteAllTextAsync(scriptFile, script);
        var r = await ExternalTool.RunAsync(DkimPy.Python, [scriptFile, messageFile, KeyFile], timeout: TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 0, r.Output);
        return r.Stdout.Replace("\r\n", "\n").Replace("\n", "\r\n") + Message;
    }

    [Theory]
    [InlineData("relaxed/relaxed")]
    [InlineData("simple/simple")]
    [InlineData("relaxed/simple")]
    public async Task Signed_by_python3_dkim_verifies_and_tampering_fails(string canonicalization)
    {
        Assert.True(DkimPy.Available, "python3-dkim is not installed (run scripts/install-test-deps.sh)");
        var signed = await DkimPySignAsync(canonicalization, length: false);
        var check = Assert.Single(await VerifyAsync(signed));
        Assert.True(check.Result == DkimResult.Pass, check.Reason);
        Assert.Equal(("signer.example", "sel", "rsa-sha256"), (check.Domain, check.Selector, check.Algorithm));
        Assert.Equal(DkimResult.Fail, Assert.Single(await VerifyAsync(signed.Replace("another program", "nobody at all"))).Result);
        Assert.Equal(DkimResult.Fail, Assert.Single(await VerifyAsync(signed.Replace("Subject: signed elsewhere", "Subject: signed here"))).Result);
    }

    [Fact]
    public async Task Body_length_limit_is_honoured_and_reported()
    {
        Assert.True(DkimPy.Available, "python3-dkim is not installed (run scripts/install-test-deps.sh)");
        var signed = await DkimPySignAsync("relaxed/relaxed", length: true);
        Assert.Contains("l=", signed);
        var appended = signed + "-- \r\nappended by a mailing list\r\n";
        var check = Assert.Single(await VerifyAsync(appended));
        Assert.True(check.Result == DkimResult.Pass, check.Reason);
        Assert.Matches(@"^l=\d+: \d+ body octets not signed$", check.Reason);
    }

    /// <summary>opendkim-testmsg signs with rsa-sha1 (it has no option for the algorithm): a signature RFC 8301 §3.1 says must fail.</summary>
    [RequiresToolFact("opendkim-testmsg")]
    public async Task Rsa_sha1_signature_of_opendkim_testmsg_fails_rfc8301()
    {
        var r = await ExternalTool.RunAsync("opendkim-testmsg", ["-C", "-d", "signer.example", "-s", "sel", "-k", KeyFile, "-t", _dir], Message,
            TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.StartsWith("DKIM-Signature:", r.Stdout);
        var signed = r.Stdout.Replace("\r\n", "\n").Replace("\n", "\r\n");
        Assert.Contains("a=rsa-sha1;", signed);
        var check = Assert.Single(await VerifyAsync(signed));
        Assert.Equal((DkimResult.Fail, "rsa-sha1 is not accepted (RFC 8301 §3.1)"), (check.Result, check.Reason));
    }
}
