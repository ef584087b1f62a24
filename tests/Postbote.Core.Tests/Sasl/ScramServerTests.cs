using System.Text;
using Postbote.Core.Sasl;

namespace Postbote.Core.Tests.Sasl;

public class ScramServerTests
{
    private const string Cnonce = "rOprNGfwEbeRWgbNEkqO";
    private const string Snonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string Nonce = Cnonce + Snonce;
    private const string ValidFinal = "c=biws,r=" + Nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

    private static ScramServerMechanism Server(InMemoryCredentialStore? store = null) =>
        new(ScramHash.Sha256, store ?? new InMemoryCredentialStore().Add(new StoredCredentials("user",
            ScramCredentials.Derive("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096, ScramHash.Sha256), null)),
            new SaslServerOptions { NonceFactory = () => Snonce });

    [Theory] // RFC 5802 §7 gs2-header; §6 "y" is fine when the server does not support channel binding
    [InlineData("p=tls-unique,,n=user,r=" + Cnonce, SaslFailureKind.ChannelBindingNotSupported)]
    [InlineData("x,,n=user,r=" + Cnonce, SaslFailureKind.Malformed)]
    [InlineData("n,n=user,r=" + Cnonce, SaslFailureKind.Malformed)]
    [InlineData("n,b=user,n=user,r=" + Cnonce, SaslFailureKind.Malformed)]
    [InlineData("n,,m=ext,n=user,r=" + Cnonce, SaslFailureKind.Malformed)]
    [InlineData("n,,r=" + Cnonce + ",n=user", SaslFailureKind.Malformed)]
    [InlineData("n,,n=user", SaslFailureKind.Malformed)]
    [InlineData("n,,n=us=2Der=41,r=" + Cnonce, SaslFailureKind.Malformed)]
    [InlineData("n,,n=,r=" + Cnonce, SaslFailureKind.Malformed)]
    [InlineData("n,,n=user,r=", SaslFailureKind.Malformed)]
    [InlineData("n,a=admin,n=user,r=" + Cnonce, SaslFailureKind.AuthzidNotPermitted)]
    [InlineData("", SaslFailureKind.Malformed)]
    public async Task Client_first_errors(string clientFirst, SaslFailureKind kind) =>
        Assert.Equal(kind, (await Server().StepAsync(clientFirst)).Failure);

    [Theory]
    [InlineData("n,,n=user,r=" + Cnonce)]
    [InlineData("y,,n=user,r=" + Cnonce)]
    [InlineData("n,a=user,n=user,r=" + Cnonce)]
    public async Task Accepted_gs2_headers_reach_the_server_first_message(string clientFirst) =>
        Assert.StartsWith("r=" + Nonce + ",s=", (await Server().StepAsync(clientFirst)).ChallengeText());

    [Theory]
    [InlineData("c=biws,r=" + Nonce + ",p=AAAAZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", SaslFailureKind.BadCredentials)] // bad proof
    [InlineData("c=biws,r=" + Cnonce + "other,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", SaslFailureKind.Malformed)] // wrong nonce
    [InlineData("c=eSws,r=" + Nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", SaslFailureKind.Malformed)] // cbind "y,," after "n,,"
    [InlineData("c=biws,r=" + Nonce, SaslFailureKind.Malformed)] // no proof
    [InlineData("r=" + Nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", SaslFailureKind.Malformed)]
    [InlineData("c=biws,r=" + Nonce + ",p=!!!", SaslFailureKind.Malformed)]
    [InlineData("c=biws,r=" + Nonce + ",p=AAAA", SaslFailureKind.Malformed)] // proof of the wrong length
    public async Task Client_final_errors(string clientFinal, SaslFailureKind kind)
    {
        var server = Server();
        await server.StepAsync("n,,n=user,r=" + Cnonce);
        Assert.Equal(kind, (await server.StepAsync(clientFinal)).Failure);
    }

    [Fact]
    public async Task Client_final_must_be_UTF8()
    {
        var server = Server();
        await server.StepAsync("n,,n=user,r=" + Cnonce);
        Assert.Equal(SaslFailureKind.Malformed, (await server.StepAsync(new byte[] { 0x63, 0x3D, 0xC0, 0xAF })).Failure);
    }

    [Fact]
    public async Task Unknown_user_gets_a_stable_salt_and_fails_only_at_the_proof()
    {
        var s1 = (await Server().StepAsync("n,,n=ghost,r=" + Cnonce)).ChallengeText();
        var s2 = (await Server().StepAsync("n,,n=ghost,r=" + Cnonce)).ChallengeText();
        Assert.Equal(s1, s2);
        Assert.EndsWith(",i=4096", s1);

        var server = Server();
        var first = await server.StepAsync("n,,n=ghost,r=" + Cnonce);
        var client = new ScramClientMechanism(ScramHash.Sha256, "ghost", "pencil", nonceFactory: () => Cnonce);
        client.InitialResponse();
        var final = await server.StepAsync(client.Respond(first.Challenge.Span));
        Assert.Equal(SaslFailureKind.BadCredentials, final.Failure);
    }

    [Fact]
    public async Task Success_needs_an_empty_answer_to_the_server_signature()
    {
        var server = Server();
        await server.StepAsync("n,,n=user,r=" + Cnonce);
        Assert.True((await server.StepAsync(ValidFinal)).IsChallenge);
        Assert.Equal(SaslFailureKind.Malformed, (await server.StepAsync("junk")).Failure);
    }

    [Fact]
    public async Task Without_initial_response_the_server_sends_an_empty_challenge()
    {
        var server = Server();
        Assert.Equal("", (await server.StepAsync((string?)null)).ChallengeText());
        Assert.True((await server.StepAsync("n,,n=user,r=" + Cnonce)).IsChallenge);
    }

    [Fact]
    public async Task User_without_SHA1_keys_fails_SCRAM_SHA_1()
    {
        var store = new InMemoryCredentialStore().Add(new StoredCredentials("only256",
            ScramCredentials.Derive("pw", 4096, ScramHash.Sha256), null));
        var step = await SaslTestExtensions.RunAsync(new ScramServerMechanism(ScramHash.Sha1, store),
            new ScramClientMechanism(ScramHash.Sha1, "only256", "pw"));
        Assert.Equal(SaslFailureKind.BadCredentials, step.Failure);
    }

    [Fact]
    public async Task User_names_with_comma_and_equals_are_escaped()
    {
        var store = new InMemoryCredentialStore().AddPassword("a,b=c", "pw");
        var client = new ScramClientMechanism(ScramHash.Sha256, "a,b=c", "pw");
        var initial = Encoding.UTF8.GetString(client.InitialResponse()!);
        Assert.Contains("n=a=2Cb=3Dc,", initial);
        var server = new ScramServerMechanism(ScramHash.Sha256, store);
        var step = await server.StepAsync(initial);
        step = await server.StepAsync(client.Respond(step.Challenge.Span));
        step = await server.StepAsync(client.Respond(step.Challenge.Span));
        Assert.Equal("a,b=c", step.UserName);
        Assert.True(client.IsComplete);
    }
}
