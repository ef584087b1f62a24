using System.Text;
using Postbote.Configuration;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.IntegrationTests.LocalDelivery;
using Postbote.MailAuth.Dkim;

namespace Postbote.IntegrationTests.MailAuth;

/// <summary>
/// Issue 12: mail Postbote accepts from its own users is DKIM-signed at accept time (the DKIM-Signature is kept with
/// the envelope and prepended at delivery; the spool file stays byte-exact), and the delivered message verifies with
/// an independent verifier, python3-dkim, given the record `postbote dkim keygen` prints.
/// </summary>
public sealed class DkimSigningTests
{
    private readonly Dictionary<string, string> _records = new();

    /// <summary>Creates keys for test.local in the data directory before the server starts, and "publishes" their records.</summary>
    private Action<PostboteOptions> WithKeys(params DkimAlgorithm[] algorithms) => o =>
    {
        var store = new DkimKeyStore(Path.Combine(o.DataDirectory, "dkim"));
        int n = 0;
        foreach (var algorithm in algorithms)
        {
            using var key = store.Create(PostboteTestServer.Domain, "s" + ++n, algorithm, 2048, DateTimeOffset.UtcNow);
            _records[key.RecordName] = key.TxtRecord;
        }
    };

    private static async Task<byte[]> DeliveredAsync(PostboteTestServer server, string address)
    {
        var file = Assert.Single(await LocalMail.WaitForMessagesAsync(LocalMail.MaildirOf(server.DataDirectory, address)));
        return await File.ReadAllBytesAsync(file);
    }

    private static byte[] Replace(byte[] message, string from, string to)
    {
        var text = Encoding.UTF8.GetString(message);
        Assert.Contains(from, text);
        return Encoding.UTF8.GetBytes(text.Replace(from, to));
    }

    [Fact]
    public async Task Submitted_mail_is_signed_and_verifies_with_python3_dkim_and_tampering_fails()
    {
        Assert.True(DkimPy.Available, "python3-dkim is not installed (run scripts/install-test-deps.sh)");
        await using var server = await LocalMail.StartDeliveringAsync(WithKeys(DkimAlgorithm.RsaSha256));
        await server.AddUserAsync("alice@test.local", "pw-alice-1");
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        var sent = LocalMail.NewMessage("alice@test.local", "bob@test.local", "Signed   lunch", "Line one.  \r\n\r\nLine  three.\r\n\r\n");
        await LocalMail.SubmitAsync(server.SubmissionsPort, implicitTls: true, "alice@test.local", "pw-alice-1", sent);

        var delivered = await DeliveredAsync(server, "bob@test.local");
        var text = Encoding.UTF8.GetString(delivered);
        Assert.Contains("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=test.local;\r\n\ts=s1; t=", text);
        Assert.Equal("pass", await DkimPy.VerifyAsync(delivered, _records));
        Assert.Equal("fail", await DkimPy.VerifyAsync(Replace(delivered, "Line  three.", "Line  four."), _records));
        Assert.Equal("fail", await DkimPy.VerifyAsync(Replace(delivered, "Subject: Signed   lunch", "Subject: Signed   dinner"), _records));
        Assert.True(await LocalMail.WaitUntilAsync(() => server.Log.Lines.Any(l => l.Contains("dkim: signed d=test.local s=s1 a=rsa-sha256"))), "no mail log line for the signature");
    }

    [Fact]
    public async Task Rsa_and_ed25519_keys_give_two_signatures_both_verified_by_python3_dkim()
    {
        Assert.True(DkimPy.Available, "python3-dkim is not installed (run scripts/install-test-deps.sh)");
        await using var server = await LocalMail.StartDeliveringAsync(WithKeys(DkimAlgorithm.RsaSha256, DkimAlgorithm.Ed25519Sha256));
        await server.AddUserAsync("alice@test.local", "pw-alice-1");
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await LocalMail.SubmitAsync(server.SubmissionsPort, implicitTls: true, "alice@test.local", "pw-alice-1",
            LocalMail.NewMessage("alice@test.local", "bob@test.local", "two signatures", "hello"));
        var delivered = await DeliveredAsync(server, "bob@test.local");
        Assert.Contains("a=ed25519-sha256", Encoding.UTF8.GetString(delivered));
        Assert.Equal("pass pass", await DkimPy.VerifyAsync(delivered, _records));
    }

    [Fact]
    public async Task Spool_file_stays_byte_exact_the_signature_lives_in_the_envelope()
    {
        await using var server = await PostboteTestServer.StartAsync(WithKeys(DkimAlgorithm.RsaSha256));
        await server.AddUserAsync("alice@test.local", "pw-alice-1");
        await LocalMail.SubmitAsync(server.SubmissionsPort, implicitTls: true, "alice@test.local", "pw-alice-1",
            LocalMail.NewMessage("alice@test.local", "bob@example.net", "out", "body"));
        var queued = Assert.Single(server.Queued());
        Assert.StartsWith("DKIM-Signature: ", Assert.Single(queued.PrependHeaders, h => h.StartsWith("DKIM-Signature:", StringComparison.Ordinal)));
        Assert.DoesNotContain("DKIM-Signature", Encoding.UTF8.GetString(server.MessageBytes(queued.QueueId)));
    }

    [Fact]
    public async Task Mail_from_strangers_on_port_25_is_not_signed_even_with_our_domain_in_from()
    {
        await using var server = await PostboteTestServer.StartAsync(WithKeys(DkimAlgorithm.RsaSha256));
        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("alice@test.local", "bob@test.local", "forged", "body"),
            "alice@test.local", "bob@test.local");
        var queued = Assert.Single(server.Queued());
        Assert.DoesNotContain(queued.PrependHeaders, h => h.StartsWith("DKIM-Signature:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mail_from_trusted_networks_is_signed()
    {
        Assert.True(DkimPy.Available, "python3-dkim is not installed (run scripts/install-test-deps.sh)");
        await using var server = await LocalMail.StartDeliveringAsync(o =>
        {
            WithKeys(DkimAlgorithm.RsaSha256)(o);
            o.TrustedNetworks = ["127.0.0.0/8"];
        });
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        await LocalMail.SendMxAsync(server.MxPort, LocalMail.NewMessage("app@test.local", "bob@test.local", "from the web server", "body"),
            "app@test.local", "bob@test.local");
        Assert.Equal("pass", await DkimPy.VerifyAsync(await DeliveredAsync(server, "bob@test.local"), _records));
    }
}
