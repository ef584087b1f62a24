using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport;
using static Postbote.IntegrationTests.RemoteDelivery.RemoteDeliveryHarness;

namespace Postbote.IntegrationTests.RemoteDelivery;

/// <summary>
/// The walk-through's "hand it to your provider's server": Relayhost pointing at a second Postbote instance's
/// submission listener, with AUTH (password from Relayhost:PasswordFile) over STARTTLS (587) and implicit TLS (465).
/// The smarthost keeps what it accepts (its delivery is deferred), so the test reads its queue.
/// </summary>
public sealed class SmarthostTests
{
    private const string RelayUser = "alice@test.local";
    private const string RelayPassword = "Relay-secret-7";

    [Theory]
    [InlineData("StartTls")]
    [InlineData("Implicit")]
    public async Task RemoteDelivery_Relayhost_WithAuth_MessageArrivesQueuedAtTheSmarthost_AsTheAuthenticatedUser(string tls)
    {
        // The smarthost: a second instance on 127.0.0.1 with the fixture's defaults (delivery deferred).
        await using var smarthost = await PostboteTestServer.StartAsync();
        await smarthost.AddUserAsync(RelayUser, RelayPassword);
        var passwordFile = Path.Combine(Path.GetTempPath(), "postbote-relay-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(passwordFile, RelayPassword + "\n");
        try
        {
            using var dns = new TestDnsServer(); // the relayhost is an address: no DNS needed, nothing else may be asked
            await using var server = await StartServerAsync(dns, 1, o => o.Relayhost = new Postbote.Configuration.RelayhostOptions
            {
                Host = "127.0.0.1",
                Port = tls == "Implicit" ? smarthost.SubmissionsPort : smarthost.SubmissionPort,
                Tls = tls,
                User = RelayUser,
                PasswordFile = passwordFile,
                VerifyCertificate = false, // the smarthost's certificate is self-signed
            });

            var message = Message(RelayUser, "dave@remote.test", "via the smarthost " + tls);
            var id = await SubmitTrustedAsync(server, RelayUser, "dave@remote.test", message);

            Assert.True(await PollAsync(() => smarthost.Queued().Count == 1), $"nothing at the smarthost:\n{Dump(server)}\n--- smarthost:\n{Dump(smarthost)}");
            Assert.True(await PollAsync(() => server.Queued().Count == 0), "still queued at the sender:\n" + Dump(server));
            var relayed = Assert.Single(smarthost.Queued());
            Assert.Equal(RelayUser, relayed.AuthenticatedUser);
            Assert.Equal("ESMTPSA", relayed.Protocol);
            Assert.Equal(RelayUser, relayed.ReversePath);
            Assert.Equal("dave@remote.test", Assert.Single(relayed.Recipients).Address);
            Assert.EndsWith(message, Utf8(smarthost.MessageBytes(relayed.QueueId)));

            var m = AttemptLine().Match(Assert.Single(Attempts(server, id)));
            Assert.True(m.Success, Attempts(server, id)[0]);
            Assert.Equal($"127.0.0.1[127.0.0.1]:{(tls == "Implicit" ? smarthost.SubmissionsPort : smarthost.SubmissionPort)}", m.Groups["relay"].Value);
            Assert.Equal("sent", m.Groups["status"].Value);
            Assert.Empty(dns.Queries);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    [Fact]
    public async Task RemoteDelivery_Relayhost_WrongPassword_IsDeferred_NotBounced()
    {
        await using var smarthost = await PostboteTestServer.StartAsync();
        await smarthost.AddUserAsync(RelayUser, RelayPassword);
        var passwordFile = Path.Combine(Path.GetTempPath(), "postbote-relay-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(passwordFile, "not-the-password\n");
        try
        {
            using var dns = new TestDnsServer();
            await using var server = await StartServerAsync(dns, 1, o => o.Relayhost = new Postbote.Configuration.RelayhostOptions
            {
                Host = "127.0.0.1", Port = smarthost.SubmissionPort, Tls = "StartTls", User = RelayUser, PasswordFile = passwordFile, VerifyCertificate = false,
            });
            var id = await SubmitTrustedAsync(server, RelayUser, "dave@remote.test", Message(RelayUser, "dave@remote.test", "bad password"));
            Assert.True(await PollAsync(() => Attempts(server, id).Count >= 1), "no attempt:\n" + Dump(server));
            var m = AttemptLine().Match(Attempts(server, id)[0]);
            Assert.True(m.Success, Attempts(server, id)[0]);
            // A refused AUTH is the client's configuration problem, not the recipient's: Postfix defers (4.7.0/4.7.8).
            Assert.Equal("deferred", m.Groups["status"].Value);
            Assert.Single(server.Queued());
            Assert.Empty(smarthost.Queued());
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }
}
