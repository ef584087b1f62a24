using Postbote.Core.Sasl;

namespace Postbote.Directory.Tests;

public abstract class UserTests(DirectoryProvider provider) : DirectoryTestBase(provider)
{
    [Fact]
    public async Task Add_list_find_remove()
    {
        var alice = await Dir.AddUserAsync("Alice@Example.org", "pw", new UserSettings(QuotaBytes: 1000));
        Assert.Equal(new MailUser("alice@example.org", false, false, 1000), alice);
        await Dir.AddUserAsync("bob@example.net", "pw");
        Assert.Equal(["alice@example.org", "bob@example.net"], (await Dir.ListUsersAsync()).Select(u => u.Address));
        Assert.Equal(["bob@example.net"], (await Dir.ListUsersAsync("EXAMPLE.net")).Select(u => u.Address));
        Assert.Equal(alice, await Dir.FindUserAsync("ALICE@example.ORG"));
        Assert.True(await Dir.RemoveUserAsync("alice@EXAMPLE.org"));
        Assert.False(await Dir.RemoveUserAsync("alice@example.org"));
        Assert.Null(await Dir.FindUserAsync("alice@example.org"));
    }

    [Theory]
    [InlineData("alice@example.com")] // domain not local
    [InlineData("alice")]
    [InlineData("@example.org")]
    [InlineData("a b@example.org")]
    public async Task Add_refuses_bad_addresses(string address) =>
        await Assert.ThrowsAsync<DirectoryException>(() => Dir.AddUserAsync(address, "pw"));

    [Fact]
    public async Task Add_refuses_duplicates_and_empty_passwords()
    {
        await Dir.AddUserAsync("alice@example.org", "pw");
        await Assert.ThrowsAsync<DirectoryException>(() => Dir.AddUserAsync("ALICE@example.org", "other"));
        await Assert.ThrowsAsync<DirectoryException>(() => Dir.AddUserAsync("carol@example.org", ""));
        await Assert.ThrowsAsync<DirectoryException>(() => Dir.AddUserAsync("carol@example.org", "bad\u0001"));
    }

    [Fact]
    public async Task Passwords_are_never_stored_in_plaintext_unless_CRAM_is_opted_in()
    {
        await Dir.AddUserAsync("alice@example.org", "Very-Secret-1");
        await Dir.AddUserAsync("tim@example.org", "Very-Secret-2", new UserSettings(AllowCramMd5: true));
        string all = await Store.RawContentsAsync();
        Assert.Contains("tim@example.org", all); // the dump reads the rows
        Assert.DoesNotContain("Very-Secret-1", all);

        var creds = await Dir.FindAsync("alice@example.org", default);
        Assert.NotNull(creds!.ScramSha256);
        Assert.NotNull(creds.ScramSha1);
        Assert.True(creds.ScramSha256!.Iterations >= 4096);
        Assert.True(creds.ScramSha256.Salt.Length >= 16);
        Assert.Null(creds.CramMd5Secret);
        Assert.Equal("Very-Secret-2", (await Dir.FindAsync("TIM@example.org", default))!.CramMd5Secret);
    }

    [Fact]
    public async Task SetPassword_changes_keys_and_CRAM_opt_in()
    {
        await Dir.AddUserAsync("alice@example.org", "old");
        Assert.True(await Dir.SetPasswordAsync("alice@example.org", "new"));
        var creds = await Dir.FindAsync("alice@example.org", default);
        Assert.True(ScramCredentials.Verify("new", creds!.ScramSha256!));
        Assert.True(ScramCredentials.Verify("new", creds.ScramSha1!));
        Assert.False(ScramCredentials.Verify("old", creds.ScramSha256!));
        Assert.Null(creds.CramMd5Secret);

        Assert.True(await Dir.SetPasswordAsync("alice@example.org", "cram", allowCramMd5: true));
        Assert.True((await Dir.FindUserAsync("alice@example.org"))!.AllowCramMd5);
        Assert.True(await Dir.SetPasswordAsync("alice@example.org", "cram2")); // keeps the opt-in
        Assert.Equal("cram2", (await Dir.FindAsync("alice@example.org", default))!.CramMd5Secret);
        Assert.True(await Dir.DisableCramMd5Async("alice@example.org"));
        Assert.Null((await Dir.FindAsync("alice@example.org", default))!.CramMd5Secret);
        Assert.False(await Dir.SetPasswordAsync("nobody@example.org", "x"));
    }

    [Fact]
    public async Task Flags_and_quota()
    {
        await Dir.AddUserAsync("alice@example.org", "pw");
        Assert.True(await Dir.SetSendAsAnyoneAsync("alice@example.org", true));
        Assert.True(await Dir.SetQuotaAsync("alice@example.org", 5_000_000));
        Assert.Equal(new MailUser("alice@example.org", false, true, 5_000_000), await Dir.FindUserAsync("alice@example.org"));
        Assert.True(await Dir.SetQuotaAsync("alice@example.org", null));
        Assert.Null((await Dir.FindUserAsync("alice@example.org"))!.QuotaBytes);
        Assert.False(await Dir.SetSendAsAnyoneAsync("nobody@example.org", true));
        await Assert.ThrowsAsync<DirectoryException>(() => Dir.SetQuotaAsync("alice@example.org", -1));
    }

    [Fact]
    public async Task Credential_lookup_is_case_insensitive_and_null_for_unknown()
    {
        await Dir.AddUserAsync("alice@example.org", "pw");
        Assert.Equal("alice@example.org", (await Dir.FindAsync("ALICE@EXAMPLE.ORG", default))!.UserName);
        Assert.Null(await Dir.FindAsync("alice", default));
        Assert.Null(await Dir.FindAsync("carol@example.org", default));
    }

    [Fact]
    public async Task Iterations_follow_the_options()
    {
        var dir = await OpenFreshAsync(new MailDirectoryOptions { PasswordIterations = 5000 });
        await dir.AddDomainAsync("example.org");
        await dir.AddUserAsync("alice@example.org", "pw");
        Assert.Equal(5000, (await dir.FindAsync("alice@example.org", default))!.ScramSha256!.Iterations);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => OpenFreshAsync(new MailDirectoryOptions { PasswordIterations = 1000 }));
    }
}
