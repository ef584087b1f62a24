using System.Text;
using Postbote.Core.Sasl;

namespace Postbote.Core.Tests.Sasl;

public class ScramVectorTests
{
    public static TheoryData<ScramHash, string, string, string, string, string, string> Vectors => new()
    {
        // RFC 5802 §5
        { ScramHash.Sha1, "fyko+d2lbbFgONRv9qkxdawL", "3rfcNHYJY1ZVvWVs7j", "QSXCR+Q6sek8bf92",
          "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
          "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
          "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=" },
        // RFC 7677 §3
        { ScramHash.Sha256, "rOprNGfwEbeRWgbNEkqO", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "W22ZaJ0SNY7soEsUEjb6gQ==",
          "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
          "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
          "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" },
    };

    private static InMemoryCredentialStore StoreFor(ScramHash hash, string salt) =>
        new InMemoryCredentialStore().Add(new StoredCredentials("user",
            hash == ScramHash.Sha256 ? ScramCredentials.Derive("pencil", Convert.FromBase64String(salt), 4096, hash) : null,
            hash == ScramHash.Sha1 ? ScramCredentials.Derive("pencil", Convert.FromBase64String(salt), 4096, hash) : null));

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Server_reproduces_the_RFC_example(ScramHash hash, string cnonce, string snonce, string salt,
        string serverFirst, string clientFinal, string serverFinal)
    {
        var server = new ScramServerMechanism(hash, StoreFor(hash, salt), new SaslServerOptions { NonceFactory = () => snonce });

        Assert.Equal(serverFirst, (await server.StepAsync($"n,,n=user,r={cnonce}")).ChallengeText());
        Assert.Equal(serverFinal, (await server.StepAsync(clientFinal)).ChallengeText());
        var done = await server.StepAsync(Array.Empty<byte>());
        Assert.True(done.IsSuccess);
        Assert.Equal("user", done.UserName);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Client_reproduces_the_RFC_example(ScramHash hash, string cnonce, string snonce, string salt,
        string serverFirst, string clientFinal, string serverFinal)
    {
        _ = snonce; _ = salt;
        var client = new ScramClientMechanism(hash, "user", "pencil", nonceFactory: () => cnonce);

        Assert.Equal($"n,,n=user,r={cnonce}", Encoding.UTF8.GetString(client.InitialResponse()!));
        Assert.Equal(clientFinal, Encoding.UTF8.GetString(client.Respond(Encoding.UTF8.GetBytes(serverFirst))));
        Assert.False(client.IsComplete);
        Assert.Empty(client.Respond(Encoding.UTF8.GetBytes(serverFinal)));
        Assert.True(client.IsComplete);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Client_rejects_a_wrong_server_signature(ScramHash hash, string cnonce, string snonce, string salt,
        string serverFirst, string clientFinal, string serverFinal)
    {
        _ = snonce; _ = salt; _ = clientFinal; _ = serverFinal;
        var client = new ScramClientMechanism(hash, "user", "pencil", nonceFactory: () => cnonce);
        client.InitialResponse();
        client.Respond(Encoding.UTF8.GetBytes(serverFirst));
        var bad = "v=" + Convert.ToBase64String(new byte[hash == ScramHash.Sha256 ? 32 : 20]);
        Assert.Throws<SaslClientException>(() => client.Respond(Encoding.UTF8.GetBytes(bad)));
        Assert.False(client.IsComplete);
    }

    [Theory]
    [InlineData("e=invalid-proof")]
    [InlineData("x=nothing")]
    [InlineData("")]
    public void Client_rejects_a_server_final_without_signature(string serverFinal)
    {
        var client = new ScramClientMechanism(ScramHash.Sha256, "user", "pencil", nonceFactory: () => "rOprNGfwEbeRWgbNEkqO");
        client.InitialResponse();
        client.Respond("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"u8);
        Assert.Throws<SaslClientException>(() => client.Respond(Encoding.UTF8.GetBytes(serverFinal)));
    }

    [Theory]
    [InlineData("r=someoneelse123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")] // nonce does not extend ours
    [InlineData("r=abc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")] // nonce equals ours (no server part)
    [InlineData("r=abcdef,s=!!!,i=4096")]
    [InlineData("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0")]
    [InlineData("r=abcdef,i=4096")]
    public void Client_rejects_a_malformed_server_first(string serverFirst)
    {
        var client = new ScramClientMechanism(ScramHash.Sha256, "user", "pencil", nonceFactory: () => "abc");
        client.InitialResponse();
        Assert.Throws<SaslClientException>(() => client.Respond(Encoding.UTF8.GetBytes(serverFirst)));
    }

    [Fact]
    public void Derived_keys_match_RFC_7677_and_round_trip_through_text()
    {
        var keys = ScramCredentials.Derive("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096, ScramHash.Sha256);
        var parsed = ScramKeys.Parse(keys.ToString())!;
        Assert.Equal(keys.StoredKey, parsed.StoredKey);
        Assert.Equal(keys.ServerKey, parsed.ServerKey);
        Assert.Equal(keys.Salt, parsed.Salt);
        Assert.Equal(4096, parsed.Iterations);
        Assert.True(ScramCredentials.Verify("pencil", parsed));
        Assert.False(ScramCredentials.Verify("Pencil", parsed));
    }

    [Theory]
    [InlineData(ScramHash.Sha1)]
    [InlineData(ScramHash.Sha256)]
    public void Derive_uses_a_fresh_salt_of_at_least_16_bytes(ScramHash hash)
    {
        var a = ScramCredentials.Derive("secret", 4096, hash);
        var b = ScramCredentials.Derive("secret", 4096, hash);
        Assert.True(a.Salt.Length >= 16);
        Assert.NotEqual(a.Salt, b.Salt);
        Assert.NotEqual(a.StoredKey, b.StoredKey);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScramCredentials.Derive("secret", 4095, hash));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("SHA-256:4096:abc")]
    [InlineData("MD5:4096:AAAA:AAAA:AAAA")]
    [InlineData("SHA-1:x:AAAA:AAAA:AAAA")]
    [InlineData("SHA-1:4096:!!:AAAA:AAAA")]
    public void ScramKeys_Parse_rejects_garbage(string? text) => Assert.Null(ScramKeys.Parse(text));
}
