using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>
/// Backscatter: mail the server already knows it cannot deliver is refused at RCPT, while the client is connected,
/// instead of being accepted and bounced later to a sender that may be forged. A full Maildir gets 452 4.2.2
/// (RFC 3463 §3.3; 452 rather than 552, RFC 5321 §4.5.3.1.10); an alias that expands beyond the limits 451 4.3.0.
/// </summary>
public sealed class BackscatterAtRcptTests
{
    private static async Task<string> RcptAsync(PostboteTestServer server, string recipient, string mailParameters = "")
    {
        await using var c = await RawSmtpClient.ConnectAsync(server.MxPort);
        await c.ReadAsync();
        await c.CommandAsync("EHLO client.example");
        Assert.StartsWith("250", await c.CommandAsync("MAIL FROM:<someone@remote.example>" + mailParameters));
        var reply = await c.CommandAsync($"RCPT TO:<{recipient}>");
        await c.CommandAsync("QUIT");
        return reply;
    }

    /// <summary>Puts a message of <paramref name="bytes"/> octets into the user's Maildir, as an earlier delivery would.</summary>
    private static void Fill(PostboteTestServer server, string address, int bytes)
    {
        var newDir = Path.Combine(LocalMail.MaildirOf(server.DataDirectory, address), "new");
        System.IO.Directory.CreateDirectory(newDir);
        System.IO.Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(newDir)!, "cur"));
        System.IO.Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(newDir)!, "tmp"));
        File.WriteAllBytes(Path.Combine(newDir, $"1764590400.M1P1.mx.test.local,S={bytes}"), new byte[bytes]);
    }

    /// <summary>A server where bob@test.local has a quota of 1000 octets and a Maildir holding 1200.</summary>
    private static async Task<PostboteTestServer> StartWithBobOverQuotaAsync(Action<Postbote.Configuration.PostboteOptions>? configure = null)
    {
        var server = await LocalMail.StartDeliveringAsync(configure);
        await server.Directory.AddUserAsync("bob@test.local", "pw-bob-1", new Postbote.Directory.UserSettings(QuotaBytes: 1000));
        Fill(server, "bob@test.local", 1200);
        return server;
    }

    [Fact]
    public async Task Full_mailbox_is_refused_at_RCPT_with_452_4_2_2_instead_of_accepted_and_bounced()
    {
        await using var server = await StartWithBobOverQuotaAsync(o => o.LocalDelivery.QuotaExceededIsPermanent = true);

        Assert.Equal("452 4.2.2 Mailbox full, try again later", await RcptAsync(server, "bob@test.local"));
        Assert.Equal("452 4.2.2 Mailbox full, try again later", await RcptAsync(server, "bob+tag@test.local"));
        Assert.True(server.IsSpoolEmpty());
        Assert.Contains(server.Log.Lines, l => l.Contains("bob@test.local") && l.Contains("mailbox full"));
    }

    [Fact]
    public async Task Declared_size_that_would_overfill_the_mailbox_is_refused_at_RCPT_RFC1870()
    {
        await using var server = await LocalMail.StartDeliveringAsync(o => o.LocalDelivery.QuotaBytes = 3000);
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        Fill(server, "bob@test.local", 1000);

        Assert.StartsWith("250", await RcptAsync(server, "bob@test.local", " SIZE=1500"));
        Assert.StartsWith("452 4.2.2", await RcptAsync(server, "bob@test.local", " SIZE=2500"));
    }

    [Fact]
    public async Task Alias_with_one_full_member_is_still_accepted_for_the_others()
    {
        await using var server = await StartWithBobOverQuotaAsync();
        await server.AddUserAsync("carol@test.local", "pw-carol-1");
        await server.Directory.AddAliasAsync("team@test.local", ["bob@test.local", "carol@test.local"]);

        Assert.StartsWith("250", await RcptAsync(server, "team@test.local"));
    }

    [Fact]
    public async Task Quota_check_at_RCPT_can_be_turned_off()
    {
        await using var server = await StartWithBobOverQuotaAsync(o => o.LocalDelivery.QuotaCheckAtRcpt = false);

        Assert.StartsWith("250", await RcptAsync(server, "bob@test.local"));
    }

    [Fact]
    public async Task Alias_expanding_beyond_the_limit_gets_451_4_3_0_and_a_log_line()
    {
        await using var server = await LocalMail.StartDeliveringAsync();
        var limit = new Postbote.Directory.MailDirectoryOptions().MaxAliasExpansion;
        await server.Directory.AddAliasAsync("everyone@test.local", Enumerable.Range(0, limit + 1).Select(i => $"m{i}@elsewhere.example"));

        Assert.Equal("451 4.3.0 Recipient temporarily unavailable, try again later", await RcptAsync(server, "everyone@test.local"));
        Assert.Contains(server.Log.Lines, l => l.Contains("everyone@test.local") && l.Contains("MaxAliasExpansion"));
    }
}
