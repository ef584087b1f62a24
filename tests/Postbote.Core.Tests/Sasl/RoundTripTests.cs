using Postbote.Core.Sasl;

namespace Postbote.Core.Tests.Sasl;

public class RoundTripTests
{
    private static InMemoryCredentialStore Store() =>
        new InMemoryCredentialStore().AddPassword("alice@example.org", "correct horse", cram: true)
            .AddPassword("bob@example.org", "pässwörd\u00A0x");

    public static TheoryData<string, string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, string, bool>();
        foreach (var mech in SaslServerMechanisms.Names)
        {
            data.Add(mech, "alice@example.org", "correct horse", true);
            data.Add(mech, "Alice@Example.org", "correct horse", true);
            data.Add(mech, "alice@example.org", "correct horsE", false);
            data.Add(mech, "carol@example.org", "correct horse", false);
            data.Add(mech, "bob@example.org", "pässwörd x", mech != "CRAM-MD5"); // non-ASCII space maps to SPACE; bob has no CRAM secret
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Client_and_server_agree(string mechanism, string user, string password, bool success)
    {
        var server = SaslServerMechanisms.Create(mechanism, Store())!;
        var client = SaslClientMechanisms.Create(mechanism, user, password)!;
        var step = await SaslTestExtensions.RunAsync(server, client);
        Assert.Equal(success, step.IsSuccess);
        if (success)
        {
            Assert.True(client.IsComplete);
            Assert.Equal(user, step.UserName, ignoreCase: true);
        }
        else
        {
            Assert.Equal(SaslFailureKind.BadCredentials, step.Failure);
        }
    }
}
