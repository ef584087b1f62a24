namespace Postbote.Directory.Tests;

/// <summary>Whether the directory defines recipients at all: the indexed query behind every refused RCPT.</summary>
public abstract class HasRecipientsTests(DirectoryProvider provider) : DirectoryTestBase(provider)
{
    [Fact]
    public async Task Domains_with_only_their_automatic_abuse_alias_define_no_recipients() =>
        Assert.False(await Dir.HasRecipientsAsync());

    [Theory]
    [InlineData("@example.org")]
    [InlineData("abuse+x@example.org")]
    [InlineData("abusers@example.org")]
    [InlineData("a@example.org")]
    [InlineData("zed@example.net")]
    public async Task Any_alias_but_abuse_at_defines_recipients(string source)
    {
        await Dir.AddAliasAsync(source, ["someone@elsewhere.example"]);
        Assert.True(await Dir.HasRecipientsAsync());
    }

    [Fact]
    public async Task A_user_defines_recipients()
    {
        await Dir.AddUserAsync("bob@example.org", "Password-123456");
        Assert.True(await Dir.HasRecipientsAsync());
    }
}
