using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Postbote.Delivery.Tls;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;
using Postbote.TestSupport.Peers;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.RemoteDelivery;

/// <summary>
/// Issue 14, per-destination TLS policy (Delivery:Tls, Postfix smtp_tls_policy_maps) end to end: the real server
/// delivers to a private Postfix offering STARTTLS, directly or through a STARTTLS-stripping proxy (RFC 3207 §6),
/// one recipient domain per policy. Each case checks where the message went (Postfix's Maildir, with or without
/// TLS in Postfix's Received:, or still in our queue) and the mail log line.
/// </summary>
public sealed class OutboundTlsPolicyTests
{
    private static TlsPolicyOptions Policy(string destination, string level, string? caFile = null, params string[] match) =>
        new() { Destination = destination, Level = level, CAFile = caFile, Match = match.Length == 0 ? null : match };

    private static void SkipUnlessPostfix()
    {
        if (PostfixInstance.UnavailableReason is { } reason) Assert.Fail($"peer not available: {reason} (scripts/install-test-deps.sh installs it; run as root)");
    }

    [Fact]
    public async Task StartTlsStripped_DeliveredInPlaintextOnlyUnderMayAndNone_DeferredWith475UnderEncryptVerifyDaneOnly()
    {
        SkipUnlessPostfix();
        using var ca = new TestCertificateAuthority();
        using var certificate = ca.Issue("mx.peer.test");
        string[] domains = ["none.test", "may.test", "encrypt.test", "verify.test", "daneonly.test"];
        await using var peer = await TlsPeer.StartAsync(certificate, domains, ca.Certificate);
        await using var proxy = new StartTlsStrippingProxy(new IPEndPoint(IPAddress.Loopback, peer.Port));
        var caFile = Path.Combine(Path.GetTempPath(), "postbote-ca-" + Guid.NewGuid().ToString("N")[..8] + ".pem");
        await File.WriteAllTextAsync(caFile, ca.CertificatePem);
        try
        {
            using var dns = new TestDnsServer();
            foreach (var d in domains) dns.AddMx(d, 10, "mx.peer.test");
            dns.AddA("mx.peer.test", "127.0.0.1");
            await using var server = await StartServerAsync(dns, proxy.Port, o =>
            {
                o.Delivery.Tls.Level = "may";
                o.Delivery.Tls.Policies =
                [
                    Policy("none.test", "none"), Policy("may.test", "may"), Policy("encrypt.test", "encrypt"),
                    Policy("verify.test", "verify", caFile), Policy("daneonly.test", "dane-only"),
                ];
            });
            var ids = new Dictionary<string, string>();
            foreach (var d in domains)
                ids[d] = await SubmitTrustedAsync(server, "alice@client.test", $"bob@{d}", Message("alice@client.test", $"bob@{d}", "stripped " + d));

            // none and may: delivered, and Postfix's Received: shows a plaintext session.
            foreach (var d in new[] { "none.test", "may.test" })
            {
                var files = await peer.WaitAsync(d);
                Assert.True(files.Count == 1, $"{d}: nothing arrived\n{Dump(server)}\n{peer.Postfix.ReadMaillog()}");
                Assert.False(TlsPeer.CameOverTls(files[0]), $"{d}: came over TLS through a stripping proxy?\n{File.ReadAllText(files[0])}");
                // The peer can hold the message before the server's batched log line is written: wait for the line.
                Assert.True(await PollAsync(() => Attempts(server, ids[d]).Count > 0), $"{d}: no attempt logged\n{Dump(server)}");
                var sent = AttemptLine().Match(Assert.Single(Attempts(server, ids[d])));
                Assert.Equal(("sent", "2.0.0", "none", ""), (sent.Groups["status"].Value, sent.Groups["dsn"].Value, sent.Groups["tls"].Value, sent.Groups["protocol"].Value));
            }
            Assert.True(proxy.StrippedCount >= 1, "the proxy stripped nothing: the test proves nothing");

            // encrypt, verify, dane-only: never sent in plaintext, deferred with 4.7.5 and the reason in the log line.
            foreach (var d in new[] { "encrypt.test", "verify.test", "daneonly.test" })
            {
                Assert.True(await PollAsync(() => Attempts(server, ids[d]).Count > 0), $"{d}: no attempt logged\n{Dump(server)}");
                var m = AttemptLine().Match(Attempts(server, ids[d])[0]);
                Assert.True(m.Success, Attempts(server, ids[d])[0]);
                Assert.Equal(("deferred", "4.7.5"), (m.Groups["status"].Value, m.Groups["dsn"].Value));
                Assert.Contains(d == "daneonly.test" ? "requires DANE" : "does not offer STARTTLS", m.Groups["reply"].Value);
                Assert.Contains($"TLS policy {(d == "daneonly.test" ? "dane-only" : d[..d.IndexOf('.')])} (Delivery:Tls:Policies:", m.Groups["reply"].Value);
                Assert.Empty(peer.Received(d));
            }
            Assert.Equal(3, server.Queued().Count);
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    [Fact]
    public async Task Certificates_VerifyNeedsATrustedChainAndAMatchingName_EncryptTakesAnyCertificate()
    {
        SkipUnlessPostfix();
        using var ca = new TestCertificateAuthority();
        using var certificate = ca.Issue("mx.peer.test");
        // trusted: the test CA is the trust anchor; system: the system store (which does not know the test CA);
        // wrongname: trusted chain, but the MX name is not in the certificate; nexthop: match=nexthop, not in it either;
        // dotmatch: match=.peer.test accepts mx.peer.test though the MX is named otherwise; encrypt: any certificate.
        string[] domains = ["trusted.test", "system.test", "wrongname.test", "nexthop.test", "dotmatch.test", "encrypt.test"];
        await using var peer = await TlsPeer.StartAsync(certificate, domains, ca.Certificate);
        var caFile = Path.Combine(Path.GetTempPath(), "postbote-ca-" + Guid.NewGuid().ToString("N")[..8] + ".pem");
        await File.WriteAllTextAsync(caFile, ca.CertificatePem);
        try
        {
            using var dns = new TestDnsServer()
                .AddMx("trusted.test", 10, "mx.peer.test").AddMx("system.test", 10, "mx.peer.test")
                .AddMx("wrongname.test", 10, "other.peer.test").AddMx("nexthop.test", 10, "mx.peer.test")
                .AddMx("dotmatch.test", 10, "alias.example").AddMx("encrypt.test", 10, "other.peer.test")
                .AddA("mx.peer.test", "127.0.0.1").AddA("other.peer.test", "127.0.0.1").AddA("alias.example", "127.0.0.1");
            await using var server = await StartServerAsync(dns, peer.Port, o =>
            {
                o.Http = new Postbote.Configuration.HttpOptions { Endpoint = "127.0.0.1:0" };
                o.Delivery.Tls.Level = "none";
                o.Delivery.Tls.Policies =
                [
                    Policy("trusted.test", "verify", caFile), Policy("system.test", "verify"),
                    Policy("wrongname.test", "verify", caFile), Policy("nexthop.test", "verify", caFile, "nexthop"),
                    Policy("dotmatch.test", "verify", caFile, ".peer.test"), Policy("encrypt.test", "encrypt"),
                ];
            });
            var ids = new Dictionary<string, string>();
            foreach (var d in domains)
                ids[d] = await SubmitTrustedAsync(server, "alice@client.test", $"bob@{d}", Message("alice@client.test", $"bob@{d}", "certificate " + d));

            // The mail log says how each delivery was secured: verified (chain and name), or opportunistic under encrypt.
            foreach (var (d, tls) in new[] { ("trusted.test", "verified"), ("dotmatch.test", "verified"), ("encrypt.test", "opportunistic") })
            {
                var files = await peer.WaitAsync(d);
                Assert.True(files.Count == 1, $"{d}: nothing arrived\n{Dump(server)}\n{peer.Postfix.ReadMaillog()}");
                Assert.True(TlsPeer.CameOverTls(files[0]), $"{d}: not delivered over TLS\n{File.ReadAllText(files[0])}");
                Assert.True(await PollAsync(() => Attempts(server, ids[d]).Count > 0), $"{d}: no attempt logged\n{Dump(server)}");
                var m = AttemptLine().Match(Attempts(server, ids[d])[0]);
                Assert.True(m.Success, Attempts(server, ids[d])[0]);
                Assert.Equal(("sent", tls), (m.Groups["status"].Value, m.Groups["tls"].Value));
                Assert.StartsWith("TLSv1.", m.Groups["protocol"].Value);
                Assert.StartsWith("TLS_", m.Groups["cipher"].Value);
            }
            var expected = new Dictionary<string, string>
            {
                ["system.test"] = "certificate not trusted",
                ["wrongname.test"] = "certificate name mismatch: it names mx.peer.test, expected other.peer.test",
                ["nexthop.test"] = "certificate name mismatch: it names mx.peer.test, expected nexthop.test",
            };
            foreach (var (d, reason) in expected)
            {
                Assert.True(await PollAsync(() => Attempts(server, ids[d]).Count > 0), $"{d}: no attempt logged\n{Dump(server)}");
                var m = AttemptLine().Match(Attempts(server, ids[d])[0]);
                Assert.True(m.Success, Attempts(server, ids[d])[0]);
                Assert.Equal(("deferred", "4.7.5"), (m.Groups["status"].Value, m.Groups["dsn"].Value));
                Assert.Contains("not verified (TLS policy verify", m.Groups["reply"].Value);
                Assert.Contains(reason, m.Groups["reply"].Value);
                Assert.Empty(peer.Received(d));
            }
            // Metrics count the TLS outcome of each connection (docs/metrics.md): two verified, one unverified, three refused.
            var scrape = await Postbote.IntegrationTests.Metrics.MetricsScrape.TakeAsync(server);
            Assert.True(scrape["postbote_delivery_tls_total{outcome=\"verified\"}"] >= 2, scrape.Text);
            Assert.True(scrape["postbote_delivery_tls_total{outcome=\"unverified\"}"] >= 1, scrape.Text);
            Assert.True(scrape["postbote_delivery_tls_total{outcome=\"not_verified\"}"] >= 3, scrape.Text);
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    [Fact]
    public async Task LearnedLevel_AfterAVerifiedDelivery_StrippingIsDeferred_UntilTlsForget()
    {
        SkipUnlessPostfix();
        using var ca = new TestCertificateAuthority();
        using var certificate = ca.Issue("mx.peer.test");
        await using var peer = await TlsPeer.StartAsync(certificate, ["learn.test"], ca.Certificate);
        await using var proxy = new StartTlsStrippingProxy(new IPEndPoint(IPAddress.Loopback, peer.Port)) { Stripping = false };
        var caFile = Path.Combine(Path.GetTempPath(), "postbote-ca-" + Guid.NewGuid().ToString("N")[..8] + ".pem");
        await File.WriteAllTextAsync(caFile, ca.CertificatePem);
        try
        {
            using var dns = new TestDnsServer().AddMx("learn.test", 10, "mx.peer.test").AddA("mx.peer.test", "127.0.0.1");
            // Default level may (learning is on by default); the test CA as trust anchor, so the first delivery verifies.
            await using var server = await StartServerAsync(dns, proxy.Port, o =>
            {
                o.Delivery.Tls.Level = "may";
                o.Delivery.Tls.CAFile = caFile;
                o.Queue.MinimalBackoff = TimeSpan.FromHours(1);
            });

            var first = await SubmitTrustedAsync(server, "alice@client.test", "bob@learn.test", Message("alice@client.test", "bob@learn.test", "first"));
            var files = await peer.WaitAsync("learn.test");
            Assert.True(files.Count == 1 && TlsPeer.CameOverTls(files[0]), $"first delivery not over TLS\n{Dump(server)}");
            Assert.True(await PollAsync(() => Attempts(server, first).Count == 1), Dump(server));
            Assert.Equal("verified", AttemptLine().Match(Attempts(server, first)[0]).Groups["tls"].Value);
            Assert.True(await PollAsync(() => server.Log.Lines.Any(l => l.Contains($"{first}: learned TLS level verified for learn.test"))), Dump(server));

            // The attacker strips STARTTLS: mail is deferred (learned verify), not sent in plaintext.
            proxy.Stripping = true;
            var second = await SubmitTrustedAsync(server, "alice@client.test", "bob@learn.test", Message("alice@client.test", "bob@learn.test", "second"));
            Assert.True(await PollAsync(() => Attempts(server, second).Count == 1), Dump(server));
            var deferred = AttemptLine().Match(Attempts(server, second)[0]);
            Assert.Equal(("deferred", "4.7.5"), (deferred.Groups["status"].Value, deferred.Groups["dsn"].Value));
            Assert.Contains("TLS is required (TLS policy verify (learned: delivered with a verified certificate before; postbote tls forget clears it))", deferred.Groups["reply"].Value);
            Assert.Contains("does not offer STARTTLS", deferred.Groups["reply"].Value);
            Assert.Single(peer.Received("learn.test"));
            Assert.True(proxy.StrippedCount >= 1);

            // `postbote tls forget` (another connection to the same file, as the CLI): the server sees it within a second.
            using (var store = LearnedTlsLevels.Open(Path.Combine(server.DataDirectory, LearnedTlsLevels.FileName)))
            {
                Assert.Equal(LearnedTlsLevel.Verified, Assert.Single(store.List()).Level);
                Assert.True(store.Forget("learn.test"));
            }
            // The server re-reads the store at most once a second: wait until it has, then ask for delivery now (ETRN).
            var serverLevels = server.Services.GetRequiredService<Postbote.Hosting.DeliveryServices>().LearnedTlsLevels!;
            Assert.True(await PollAsync(() => serverLevels.Find("learn.test") is null), "the server still holds the forgotten level");
            await using (var c = await RawSmtpClient.ConnectAsync(server.MxPort, ServerAddress))
            {
                await c.ReadAsync();
                await c.CommandAsync("EHLO client.test");
                Assert.StartsWith("250 2.0.0 Queuing started for learn.test", await c.CommandAsync("ETRN learn.test"));
                await c.CommandAsync("QUIT");
            }
            await peer.WaitAsync("learn.test", 2);
            Assert.True(peer.Received("learn.test").Count == 2, "not delivered after tls forget\n" + Dump(server));
            Assert.True(await PollAsync(() => Attempts(server, second).Any(l => l.Contains("status=sent"))), Dump(server));
        }
        finally
        {
            File.Delete(caFile);
        }
    }
}
