using System.Text;
using Postbote.Core.Sasl;

namespace Postbote.Core.Tests.Sasl;

public class PasswordMechanismTests
{
    private static InMemoryCredentialStore Store() =>
        new InMemoryCredentialStore().AddPassword("alice@example.org", "s3cret pw").AddPassword("tim", "tanstaaftanstaaf", cram: true);

    [Theory] // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
    [InlineData("\0alice@example.org\0s3cret pw", true, null)]
    [InlineData("alice@example.org\0alice@example.org\0s3cret pw", true, null)]
    [InlineData("ALICE@example.org\0alice@example.org\0s3cret pw", true, null)]
    [InlineData("\0ALICE@EXAMPLE.ORG\0s3cret pw", true, null)]
    [InlineData("\0alice@example.org\0wrong", false, SaslFailureKind.BadCredentials)]
    [InlineData("\0nobody@example.org\0s3cret pw", false, SaslFailureKind.BadCredentials)]
    [InlineData("bob@example.org\0alice@example.org\0s3cret pw", false, SaslFailureKind.AuthzidNotPermitted)]
    [InlineData("alice@example.org s3cret pw", false, SaslFailureKind.Malformed)]
    [InlineData("\0alice@example.org s3cret pw", false, SaslFailureKind.Malformed)]
    [InlineData("\0alice@example.org\0s3cret pw\0", false, SaslFailureKind.Malformed)]
    [InlineData("\0\0s3cret pw", false, SaslFailureKind.Malformed)]
    [InlineData("\0alice@example.org\0", false, SaslFailureKind.Malformed)]
    [InlineData("", false, SaslFailureKind.Malformed)]
    public async Task Plain(string message, bool success, SaslFailureKind? failure)
    {
        var step = await new PlainServerMechanism(Store()).StepAsync(message);
        Assert.Equal(success, step.IsSuccess);
        if (success) Assert.Equal("alice@example.org", step.UserName);
        else Assert.Equal(failure, step.Failure);
    }

    [Fact] // RFC 4954 §4: without an initial response the server sends an empty challenge
    public async Task Plain_without_initial_response_gets_an_empty_challenge()
    {
        var m = new PlainServerMechanism(Store());
        var first = await m.StepAsync((string?)null);
        Assert.True(first.IsChallenge);
        Assert.Equal(0, first.Challenge.Length);
        Assert.True((await m.StepAsync("\0alice@example.org\0s3cret pw")).IsSuccess);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await m.StepAsync("x"));
    }

    [Fact]
    public async Task Plain_rejects_invalid_UTF8()
    {
        var bytes = new byte[] { 0, (byte)'a', 0xC3, 0x28, 0, (byte)'p' };
        var step = await new PlainServerMechanism(Store()).StepAsync(bytes);
        Assert.Equal(SaslFailureKind.Malformed, step.Failure);
    }

    [Fact]
    public async Task Login_challenges_exactly_Username_and_Password()
    {
        var m = new LoginServerMechanism(Store());
        var s1 = await m.StepAsync((string?)null);
        Assert.Equal("VXNlcm5hbWU6", Convert.ToBase64String(s1.Challenge.Span));
        var s2 = await m.StepAsync("alice@example.org");
        Assert.Equal("UGFzc3dvcmQ6", Convert.ToBase64String(s2.Challenge.Span));
        var s3 = await m.StepAsync("s3cret pw");
        Assert.True(s3.IsSuccess);
        Assert.Equal("alice@example.org", s3.UserName);
    }

    [Theory]
    [InlineData("alice@example.org", "s3cret pw", true)]
    [InlineData("alice@example.org", "S3cret pw", false)]
    [InlineData("nobody@example.org", "s3cret pw", false)]
    public async Task Login_with_initial_response(string user, string password, bool success)
    {
        var m = new LoginServerMechanism(Store());
        Assert.Equal("Password:", (await m.StepAsync(user)).ChallengeText());
        var step = await m.StepAsync(password);
        Assert.Equal(success, step.IsSuccess);
        if (!success) Assert.Equal(SaslFailureKind.BadCredentials, step.Failure);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    public async Task Login_rejects_empty_or_invalid_user(byte[] user)
    {
        var m = new LoginServerMechanism(Store());
        await m.StepAsync((string?)null);
        Assert.Equal(SaslFailureKind.Malformed, (await m.StepAsync(user)).Failure);
    }

    [Fact] // RFC 2195 §2 example
    public async Task CramMd5_RFC_2195_example()
    {
        var options = new SaslServerOptions { CramMd5ChallengeFactory = () => "<1896.697170952@postoffice.reston.mci.net>" };
        var m = new CramMd5ServerMechanism(Store(), options);
        var challenge = await m.StepAsync((string?)null);
        Assert.Equal("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+", Convert.ToBase64String(challenge.Challenge.Span));
        var step = await m.StepAsync("tim b913a602c7eda7a495b4e6e7334d3890");
        Assert.True(step.IsSuccess);
        Assert.Equal("tim", step.UserName);

        var client = new CramMd5ClientMechanism("tim", "tanstaaftanstaaf");
        Assert.Equal("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
            Convert.ToBase64String(client.Respond(challenge.Challenge.Span)));
    }

    [Theory]
    [InlineData("tim b913a602c7eda7a495b4e6e7334d3891", SaslFailureKind.BadCredentials)]
    [InlineData("alice@example.org b913a602c7eda7a495b4e6e7334d3890", SaslFailureKind.BadCredentials)] // not opted in
    [InlineData("nobody b913a602c7eda7a495b4e6e7334d3890", SaslFailureKind.BadCredentials)]
    [InlineData("timb913a602c7eda7a495b4e6e7334d3890", SaslFailureKind.Malformed)]
    [InlineData("tim b913a602c7eda7a495b4e6e7334d389", SaslFailureKind.Malformed)]
    [InlineData("tim zz13a602c7eda7a495b4e6e7334d3890", SaslFailureKind.Malformed)]
    public async Task CramMd5_failures(string response, SaslFailureKind kind)
    {
        var m = new CramMd5ServerMechanism(Store(), new SaslServerOptions { CramMd5ChallengeFactory = () => "<1896.697170952@postoffice.reston.mci.net>" });
        await m.StepAsync((string?)null);
        Assert.Equal(kind, (await m.StepAsync(response)).Failure);
    }

    [Fact]
    public async Task CramMd5_refuses_an_initial_response()
    {
        var step = await new CramMd5ServerMechanism(Store()).StepAsync("tim abc");
        Assert.Equal(SaslFailureKind.Malformed, step.Failure);
    }

    [Fact]
    public async Task CramMd5_default_challenge_is_unique_and_names_the_host()
    {
        var a = (await new CramMd5ServerMechanism(Store(), new() { Hostname = "mx.example.org" }).StepAsync((string?)null)).ChallengeText();
        var b = (await new CramMd5ServerMechanism(Store(), new() { Hostname = "mx.example.org" }).StepAsync((string?)null)).ChallengeText();
        Assert.Matches(@"^<\d+\.\d+@mx\.example\.org>$", a);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData("plain", "PLAIN")]
    [InlineData("LOGIN", "LOGIN")]
    [InlineData("Cram-Md5", "CRAM-MD5")]
    [InlineData("scram-sha-1", "SCRAM-SHA-1")]
    [InlineData("SCRAM-SHA-256", "SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-256-PLUS", null)]
    [InlineData("GSSAPI", null)]
    public void Factory_creates_known_mechanisms(string name, string? expected)
    {
        Assert.Equal(expected, SaslServerMechanisms.Create(name, Store())?.Name);
        Assert.Equal(expected, SaslClientMechanisms.Create(name, "u", "p")?.Name);
        if (expected is not null) Assert.Contains(expected, SaslServerMechanisms.Names);
    }

    [Theory]
    [InlineData("PLAIN LOGIN", "PLAIN")]
    [InlineData("LOGIN PLAIN CRAM-MD5", "CRAM-MD5")]
    [InlineData("PLAIN scram-sha-1 SCRAM-SHA-256", "SCRAM-SHA-256")]
    [InlineData("GSSAPI NTLM", null)]
    public void Client_chooses_the_strongest_advertised(string advertised, string? expected) =>
        Assert.Equal(expected, SaslClientMechanisms.Choose(advertised.Split(' ')));

    [Fact]
    public void Plain_client_message()
    {
        Assert.Equal("\0alice\0pw", Encoding.UTF8.GetString(new PlainClientMechanism("alice", "pw").InitialResponse()!));
        Assert.Equal("bob\0alice\0pw", Encoding.UTF8.GetString(new PlainClientMechanism("alice", "pw", "bob").Respond([])));
    }
}
