using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Postbote.Dns;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.MailAuth.Arc;
using Postbote.MailAuth.Dkim;
using Postbote.TestSupport;

namespace Postbote.IntegrationTests.MailAuth;

/// <summary>
/// Issue 12, ARC (RFC 8617) against an independent implementation, python3-dkim's dkim.arc_sign/dkim.arc_verify
/// (with python3-authres): the sets Postbote seals verify in dkimpy, dkimpy's verify in Postbote, chains mixing both
/// verify in both, and a message changed after the last seal is cv=fail in both.
/// </summary>
public sealed class ArcInteropTests : IDisposable
{
    private const string Message =
        "From: Alice <alice@origin.example>\r\nTo: team@fwd.example\r\nSubject: through two forwarders\r\nDate: Fri, 4 Dec 2026 10:00:00 +0000\r\n" +
        "Message-ID: <arc-interop@origin.example>\r\n\r\nHello  team,\r\n\r\nforwarded and sealed.\r\n";

    private const string Script = """
        import sys, json, dkim
        mode, message_file = sys.argv[1], sys.argv[2]
        message = open(message_file, 'rb').read()
        if mode == 'verify':
            records = json.load(open(sys.argv[3]))
            def dns(name, timeout=5):
                name = name.decode() if isinstance(name, bytes) else name
                txt = records.get(name.rstrip('.').lower())
                return txt.encode() if txt is not None else None
            cv, results, reason = dkim.arc_verify(message, dnsfunc=dns)
            print((cv or b'none').decode(), reason)
        else:
            key, domain, selector, srv_id = open(sys.argv[3], 'rb').read(), sys.argv[4], sys.argv[5], sys.argv[6]
            headers = dkim.arc_sign(message, selector.encode(), domain.encode(), key, srv_id.encode(), timestamp=1796378400)
            sys.stdout.write(b''.join(headers).decode())
        """;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
    private readonly TestDnsServer _dns = new();
    private readonly Dictionary<string, string> _records = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "postbote-arc-interop-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly DkimKeyStore _store;
    private readonly RSA _relayKey = RSA.Create(1024); // dkimpy's key (PKCS#1 PEM); 1024 bits: one TXT string

    public ArcInteropTests()
    {
        System.IO.Directory.CreateDirectory(_dir);
        _store = new DkimKeyStore(Path.Combine(_dir, "dkim"));
        using var ours = _store.Create("fwd.example", "pb", DkimAlgorithm.RsaSha256, 1024, _time.GetUtcNow());
        Publish(ours.RecordName, ours.TxtRecord);
        Publish("relay._domainkey.relay.example", "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(_relayKey.ExportSubjectPublicKeyInfo()));
        File.WriteAllText(Path.Combine(_dir, "relay.pem"), _relayKey.ExportRSAPrivateKeyPem());
    }

    private void Publish(string name, string txt)
    {
        _records[name] = txt;
        _dns.AddTxt(name, txt);
    }

    public void Dispose()
    {
        _dns.Dispose();
        _relayKey.Dispose();
        System.IO.Directory.Delete(_dir, recursive: true);
    }

    private static void RequireDkimPy()
    {
        if (!DkimPy.Available || !File.Exists("/usr/lib/python3/dist-packages/authres/__init__.py"))
            Assert.Fail("python3-dkim and python3-authres are needed (scripts/install-test-deps.sh installs them)");
    }

    private async Task<string> PythonAsync(params string[] args)
    {
        var script = Path.Combine(_dir, "arc.py");
        await File.WriteAllTextAsync(script, Script);
        var r = await ExternalTool.RunAsync(DkimPy.Python, [script, .. args], timeout: TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 0, r.Output);
        return r.Stdout;
    }

    private async Task<string> DkimPyVerifyAsync(string message)
    {
        var file = Path.Combine(_dir, "verify.eml");
        var records = Path.Combine(_dir, "records.json");
        await File.WriteAllBytesAsync(file, Encoding.UTF8.GetBytes(message));
        await File.WriteAllTextAsync(records, JsonSerializer.Serialize(_records));
        return (await PythonAsync("verify", file, records)).Trim();
    }

    /// <summary>dkimpy as the forwarder relay.example: it seals from the Authentication-Results of its srv_id it finds on top.</summary>
    private async Task<string> DkimPySealAsync(string message, string arcResult)
    {
        var withAr = $"Authentication-Results: mx.relay.example; spf=pass smtp.mailfrom=origin.example; arc={arcResult}\r\n" + message;
        var file = Path.Combine(_dir, "sign.eml");
        await File.WriteAllBytesAsync(file, Encoding.UTF8.GetBytes(withAr));
        var set = await PythonAsync("sign", file, Path.Combine(_dir, "relay.pem"), "relay.example", "relay", "mx.relay.example");
        Assert.StartsWith("ARC-Seal: ", set);
        return set + message; // the A-R itself is not forwarded (ours would be dropped too: RFC 8601 §5)
    }

    private ArcVerifier Verifier() =>
        new(new DkimVerifier(new DnsResolver(new DnsOptions { Servers = [_dns.Endpoint], QueryTimeout = TimeSpan.FromSeconds(2) }), _time));

    private async Task<ArcCheck> OurVerifyAsync(string message) => await Verifier().VerifyAsync(Encoding.UTF8.GetBytes(message), CancellationToken.None);

    /// <summary>Postbote as the forwarder fwd.example: validate what came in, seal on top.</summary>
    private async Task<string> OurSealAsync(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        int h = DkimHeaderFields.SectionLength(bytes);
        using var chain = Verifier().Begin(bytes.AsSpan(0, h));
        chain.AppendBody(bytes.AsSpan(h));
        var check = await chain.FinishAsync(CancellationToken.None);
        using var body = new DkimBodyHasher(DkimCanonicalization.Relaxed);
        body.Append(bytes.AsSpan(h));
        var sealer = new ArcSealer(new DkimSigner(_store, new DkimOptions(), _time), new DkimOptions(), _time);
        var set = sealer.Seal(bytes.AsSpan(0, h), body.Finish(), chain, check, $"mx.fwd.example; spf=pass smtp.mailfrom=origin.example; arc={check.ResultWord}", "fwd.example", "Q");
        Assert.Equal(3, set.Count);
        return string.Concat(set) + message;
    }

    [Fact]
    public async Task Our_first_seal_verifies_in_dkimpy()
    {
        RequireDkimPy();
        Assert.Equal("pass success", await DkimPyVerifyAsync(await OurSealAsync(Message)));
    }

    [Fact]
    public async Task Dkimpys_seal_verifies_in_ours_and_our_seal_on_top_verifies_in_both()
    {
        RequireDkimPy();
        var theirs = await DkimPySealAsync(Message, "none");
        Assert.Equal(new ArcCheck(ArcResult.Pass, 1, 0, "relay.example", ""), await OurVerifyAsync(theirs));
        var both = await OurSealAsync(theirs);
        Assert.StartsWith("ARC-Seal: i=2; a=rsa-sha256; t=1796378400; cv=pass;", both);
        Assert.Equal("pass success", await DkimPyVerifyAsync(both));
        Assert.Equal(new ArcCheck(ArcResult.Pass, 2, 0, "fwd.example", ""), await OurVerifyAsync(both));
        // And dkimpy sealing a third time over our set.
        var three = await DkimPySealAsync(both, "pass");
        Assert.Equal("pass success", await DkimPyVerifyAsync(three));
        Assert.Equal(new ArcCheck(ArcResult.Pass, 3, 0, "relay.example", ""), await OurVerifyAsync(three));
    }

    [Fact]
    public async Task A_body_changed_after_the_last_seal_is_cv_fail_in_both()
    {
        RequireDkimPy();
        var tampered = (await OurSealAsync(await DkimPySealAsync(Message, "none"))).Replace("forwarded and sealed.", "forwarded and changed.");
        Assert.StartsWith("fail ", await DkimPyVerifyAsync(tampered));
        var ours = await OurVerifyAsync(tampered);
        Assert.Equal(ArcResult.Fail, ours.Result);
        Assert.Equal("ARC-Message-Signature i=2: body hash did not verify", ours.Reason);
    }

    [Fact]
    public async Task A_seal_changed_in_transit_is_cv_fail_in_both()
    {
        RequireDkimPy();
        var sealedTwice = await OurSealAsync(await DkimPySealAsync(Message, "none"));
        var tampered = sealedTwice.Replace("i=1; mx.relay.example; spf=pass", "i=1; mx.relay.example; spf=fail");
        Assert.NotEqual(sealedTwice, tampered);
        Assert.StartsWith("fail ", await DkimPyVerifyAsync(tampered));
        Assert.Equal(ArcResult.Fail, (await OurVerifyAsync(tampered)).Result);
    }
}
