using System.Text;
using Postbote.Dns;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.MailAuth.Arc;
using Postbote.MailAuth.Dkim;
using Postbote.TestSupport;
using Postbote.TestSupport.Peers;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.MailAuth;

/// <summary>
/// ARC on forwarding (issue 12): mail an alias sends off-site arrives at the remote site (a private Postfix) with our
/// ARC set on top, sealed with the alias domain's DKIM key, verifying in python3-dkim and in ours; the local copy
/// of the same message gets no ARC fields; the stored message is untouched.
/// </summary>
public sealed class ArcForwardingTests
{
    [Fact]
    public async Task Forwarded_copy_is_sealed_with_the_alias_domains_key_and_verifies_in_dkimpy_and_ours()
    {
        if (PostfixInstance.UnavailableReason is { } reason) Assert.Fail($"peer not available: {reason} (scripts/install-test-deps.sh installs it; run as root)");
        if (!DkimPy.Available) Assert.Fail("python3-dkim is needed (scripts/install-test-deps.sh installs it)");
        await using var postfix = PostfixInstance.FinalDestination("peer.test", "bob");
        await postfix.StartAsync();
        var records = new Dictionary<string, string>();
        using var dns = new TestDnsServer().AddMx("peer.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1");
        await using var server = await StartServerAsync(dns, postfix.Port, o =>
        {
            // 1024 bits: the record fits the one TXT string TestDnsServer.AddTxt serves.
            using var key = new DkimKeyStore(Path.Combine(o.DataDirectory, "dkim")).Create(PostboteTestServer.Domain, "fwd", DkimAlgorithm.RsaSha256, 1024, DateTimeOffset.UtcNow);
            dns.AddTxt(key.RecordName, key.TxtRecord);
            records[key.RecordName] = key.TxtRecord;
        });
        await server.AddUserAsync("carol@test.local", "pw-carol-1");
        await server.Directory.AddAliasAsync("team@test.local", ["carol@test.local", "bob@peer.test"]);

        var message = Message("alice@peer.test", "team@test.local", "sealed on the way");
        var id = await SubmitTrustedAsync(server, "alice@peer.test", "team@test.local", message);

        var files = await postfix.WaitForMessagesAsync("bob@peer.test", 1, Deadline);
        Assert.True(files.Count == 1, $"nothing arrived at Postfix.\nPostbote:\n{Dump(server)}\nPostfix:\n{postfix.ReadMaillog()}");
        var forwarded = Utf8(await File.ReadAllBytesAsync(files[0]));
        Assert.Matches(@"\nARC-Seal: i=1; a=rsa-sha256; t=\d+; cv=none;\n\td=test\.local; s=fwd;\n", forwarded);
        Assert.Contains("\nARC-Authentication-Results: i=1; mx.test.local;\n\tarc=none\n", forwarded);
        Assert.EndsWith(Lf(message), forwarded);
        Assert.Contains(server.Log.Lines, l => l.Contains($"{id}: arc: sealed i=1 cv=none d=test.local s=fwd"));

        var crlf = Encoding.UTF8.GetBytes(forwarded.Replace("\n", "\r\n"));
        var ours = await new ArcVerifier(new DkimVerifier(new DnsResolver(new DnsOptions { Servers = [dns.Endpoint], QueryTimeout = TimeSpan.FromSeconds(2) }), TimeProvider.System))
            .VerifyAsync(crlf, CancellationToken.None);
        Assert.Equal(ArcResult.Pass, ours.Result);
        Assert.Equal("pass", await DkimPyArcVerifyAsync(crlf, records));

        var local = await Postbote.IntegrationTests.RemoteDelivery.LocalMailbox.WaitAsync(server, "carol");
        Assert.DoesNotContain("ARC-", Utf8(await File.ReadAllBytesAsync(local[0])));
    }

    private static async Task<string> DkimPyArcVerifyAsync(byte[] message, Dictionary<string, string> records)
    {
        var dir = Path.Combine(Path.GetTempPath(), "postbote-arcfwd-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, "m.eml"), message);
            await File.WriteAllTextAsync(Path.Combine(dir, "r.json"), System.Text.Json.JsonSerializer.Serialize(records));
            await File.WriteAllTextAsync(Path.Combine(dir, "v.py"), """
                import sys, json, dkim
                records = json.load(open(sys.argv[2]))
                def dns(name, timeout=5):
                    name = name.decode() if isinstance(name, bytes) else name
                    txt = records.get(name.rstrip('.').lower())
                    return txt.encode() if txt is not None else None
                cv, results, reason = dkim.arc_verify(open(sys.argv[1], 'rb').read(), dnsfunc=dns)
                print((cv or b'none').decode())
                """);
            var r = await ExternalTool.RunAsync(DkimPy.Python, [Path.Combine(dir, "v.py"), Path.Combine(dir, "m.eml"), Path.Combine(dir, "r.json")], timeout: TimeSpan.FromSeconds(30));
            Assert.True(r.ExitCode == 0, r.Output);
            return r.Stdout.Trim();
        }
        finally { System.IO.Directory.Delete(dir, recursive: true); }
    }
}
