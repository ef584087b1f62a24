using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;
using Postbote.Configuration;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.TestSupport.Peers;
using Postbote.Smtpd;

namespace Postbote.IntegrationTests.Cluster;

/// <summary>
/// Issue 16: two servers (node A on 127.0.0.2, node B on 127.0.0.3) share one PostgreSQL directory. A user added
/// through A authenticates on B, and a domain removed on A is refused on B, each within 1 s (LISTEN/NOTIFY).
/// </summary>
public sealed class TwoNodeDirectoryTests(PostgresTestCluster pg) : IClassFixture<PostgresTestCluster>
{
    private static Task<PostboteTestServer> NodeAsync(string address, string cs) => PostboteTestServer.StartAsync(o =>
    {
        o.Directory = new DirectoryOptions { Provider = "Postgres", ConnectionString = cs, MigrateOnStart = true };
        o.Listeners =
        [
            new ListenerOptions { Name = "mx", Endpoint = address + ":0", Role = ListenerRole.Mx },
            new ListenerOptions { Name = "submission", Endpoint = address + ":0", Role = ListenerRole.Submission },
            new ListenerOptions { Name = "submissions", Endpoint = address + ":0", Role = ListenerRole.Submission, ImplicitTls = true },
        ];
    });

    private static async Task<bool> AuthenticatesAsync(string host, int port, string user, string password)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 15000 };
        await client.ConnectAsync(host, port, SecureSocketOptions.SslOnConnect);
        try
        {
            await client.AuthenticateAsync(user, password);
            return true;
        }
        catch (AuthenticationException)
        {
            return false;
        }
        finally
        {
            await client.DisconnectAsync(true);
        }
    }

    private static async Task<string> RcptReplyAsync(string host, int port, string recipient)
    {
        await using var smtp = await RawSmtpClient.ConnectAsync(port, host);
        await smtp.ReadReplyAsync();
        await smtp.CommandAsync("EHLO client.example");
        await smtp.CommandAsync("MAIL FROM:<someone@far.example>");
        return await smtp.CommandAsync($"RCPT TO:<{recipient}>");
    }

    private static async Task<TimeSpan> WithinOneSecondAsync(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 200 && watch.Elapsed < TimeSpan.FromSeconds(1); i++)
        {
            if (await condition()) return watch.Elapsed;
            await Task.Delay(20);
        }
        Assert.Fail("not seen on node B within 1 s");
        return watch.Elapsed;
    }

    [Fact]
    public async Task A_user_added_on_A_authenticates_on_B_and_a_domain_removed_on_A_is_refused_on_B_within_one_second()
    {
        var cs = await pg.CreateSchemaAsync();
        await using var a = await NodeAsync("127.0.0.2", cs);
        await using var b = await NodeAsync("127.0.0.3", cs);

        // B has answered for shared.example (not local) and cached that answer.
        Assert.StartsWith("5", await RcptReplyAsync("127.0.0.3", b.MxPort, "dora@shared.example")); // relay refused
        await a.Directory.AddDomainAsync("shared.example");
        await a.AddUserAsync("dora@shared.example", "Dora-pw-1");
        await WithinOneSecondAsync(async () => (await RcptReplyAsync("127.0.0.3", b.MxPort, "dora@shared.example")).StartsWith("250", StringComparison.Ordinal));
        await WithinOneSecondAsync(() => AuthenticatesAsync("127.0.0.3", b.SubmissionsPort, "dora@shared.example", "Dora-pw-1"));
        Assert.False(await AuthenticatesAsync("127.0.0.3", b.SubmissionsPort, "dora@shared.example", "wrong"));

        Assert.True(await a.Directory.RemoveDomainAsync("shared.example", force: true));
        await WithinOneSecondAsync(async () => (await RcptReplyAsync("127.0.0.3", b.MxPort, "dora@shared.example")).StartsWith('5'));
        // Failed logins are slowed down per client (a second one from here waits longer): ask B's directory instead.
        Assert.Null(await b.Directory.FindAsync("dora@shared.example", default));
    }
}
