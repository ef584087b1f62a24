using System.Text;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Security;

/// <summary>The AUTH brake through the real server: one valid account must not reset the guessing on another.</summary>
public sealed class AuthThrottleTests
{
    private static string Plain(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    private static async Task<TlsSmtpClient> ConnectAsync(PostboteTestServer server)
    {
        var tls = await TlsSmtpClient.ConnectImplicitAsync(server.SubmissionsPort);
        await tls.ReadAsync();
        await tls.CommandLinesAsync("EHLO client.example");
        return tls;
    }

    [Fact]
    public async Task Nine_failures_on_bob_and_one_good_login_as_alice_repeated_get_bob_blocked()
    {
        await using var server = await PostboteTestServer.StartAsync(o => o.Limits.AuthFailureDelay = TimeSpan.FromMilliseconds(1));
        await server.AddUserAsync("alice@test.local", "alice-password");
        await server.AddUserAsync("bob@test.local", "bob-password");

        var replies = new List<string>();
        for (int round = 0; round < 3 && !replies.Any(r => r.StartsWith("421", StringComparison.Ordinal)); round++)
        {
            await using (var guesser = await ConnectAsync(server))
            {
                for (int i = 0; i < 9; i++)
                {
                    var reply = await guesser.CommandAsync("AUTH PLAIN " + Plain("bob@test.local", $"guess-{round}-{i}"));
                    replies.Add(reply);
                    if (!reply.StartsWith("535", StringComparison.Ordinal)) break;
                }
            }
            if (replies[^1].StartsWith("421", StringComparison.Ordinal)) break;
            await using var alice = await ConnectAsync(server);
            Assert.StartsWith("235", await alice.CommandAsync("AUTH PLAIN " + Plain("alice@test.local", "alice-password")));
        }
        Assert.True(replies.Count(r => r.StartsWith("535", StringComparison.Ordinal)) <= 10,
            "bob's guessing went on after 10 failures: " + string.Join(" | ", replies));
        Assert.StartsWith("421 4.7.0", replies[^1]);

        // Bob's block does not lock alice out from the same address.
        await using var again = await ConnectAsync(server);
        Assert.StartsWith("235", await again.CommandAsync("AUTH PLAIN " + Plain("alice@test.local", "alice-password")));
    }
}
