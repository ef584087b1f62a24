using System.Text;
using Postbote.Core.Sasl;

namespace Postbote.Directory.Tests;

/// <summary>Password verification through the SASL server mechanisms, against the real SQLite store.</summary>
public abstract class SaslIntegrationTests(DirectoryProvider provider) : DirectoryTestBase(provider)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Dir.AddUserAsync("alice@example.org", "correct horse");
        await Dir.AddUserAsync("tim@example.org", "tanstaaftanstaaf", new UserSettings(AllowCramMd5: true));
    }

    private async Task<SaslServerStep> Run(string mechanism, string user, string password)
    {
        var server = SaslServerMechanisms.Create(mechanism, Dir)!;
        var client = SaslClientMechanisms.Create(mechanism, user, password)!;
        var initial = client.InitialResponse();
        var step = await server.StepAsync(initial is null ? null : (ReadOnlyMemory<byte>?)initial, default);
        for (int i = 0; step.IsChallenge && i < 10; i++)
            step = await server.StepAsync(client.Respond(step.Challenge.Span), default);
        if (step.IsSuccess) Assert.True(client.IsComplete);
        return step;
    }

    [Theory]
    [InlineData("PLAIN", "alice@example.org", "correct horse", true)]
    [InlineData("PLAIN", "Alice@EXAMPLE.org", "correct horse", true)]
    [InlineData("PLAIN", "alice@example.org", "wrong", false)]
    [InlineData("PLAIN", "nobody@example.org", "correct horse", false)]
    [InlineData("LOGIN", "alice@example.org", "correct horse", true)]
    [InlineData("LOGIN", "alice@example.org", "Correct horse", false)]
    [InlineData("SCRAM-SHA-256", "alice@example.org", "correct horse", true)]
    [InlineData("SCRAM-SHA-256", "alice@example.org", "wrong", false)]
    [InlineData("SCRAM-SHA-1", "alice@example.org", "correct horse", true)]
    [InlineData("SCRAM-SHA-1", "nobody@example.org", "correct horse", false)]
    [InlineData("CRAM-MD5", "tim@example.org", "tanstaaftanstaaf", true)]
    [InlineData("CRAM-MD5", "alice@example.org", "correct horse", false)] // not opted in
    public async Task Mechanisms_verify_against_the_directory(string mechanism, string user, string password, bool success)
    {
        var step = await Run(mechanism, user, password);
        Assert.Equal(success, step.IsSuccess);
        if (success) Assert.Equal(user.ToLowerInvariant(), step.UserName);
        else Assert.Equal(SaslFailureKind.BadCredentials, step.Failure);
    }

    [Fact]
    public async Task Plain_message_with_a_foreign_authzid_is_refused()
    {
        var step = await new PlainServerMechanism(Dir).StepAsync(Encoding.UTF8.GetBytes("tim@example.org\0alice@example.org\0correct horse"), default);
        Assert.Equal(SaslFailureKind.AuthzidNotPermitted, step.Failure);
    }

    [Fact]
    public async Task A_changed_password_takes_effect_for_every_mechanism()
    {
        await Dir.SetPasswordAsync("alice@example.org", "battery staple");
        foreach (var mech in new[] { "PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256" })
        {
            Assert.True((await Run(mech, "alice@example.org", "battery staple")).IsSuccess, mech);
            Assert.False((await Run(mech, "alice@example.org", "correct horse")).IsSuccess, mech);
        }
    }

    [Fact]
    public async Task A_removed_user_can_no_longer_log_in()
    {
        await Dir.RemoveUserAsync("alice@example.org");
        Assert.False((await Run("SCRAM-SHA-256", "alice@example.org", "correct horse")).IsSuccess);
    }
}
