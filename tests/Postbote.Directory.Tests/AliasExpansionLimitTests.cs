namespace Postbote.Directory.Tests;

/// <summary>
/// Alias expansion is capped (Postfix's virtual_alias_expansion_limit): a recipient that fans out to more mailboxes,
/// or costs more lookups, than the limits is refused as <see cref="ResolutionKind.ExpansionLimit"/>, never expanded
/// without bound at RCPT time.
/// </summary>
public abstract class AliasExpansionLimitTests(DirectoryProvider provider) : DirectoryTestBase(provider)
{
    protected override MailDirectoryOptions Options => new() { MaxAliasExpansion = 5, MaxAliasLookups = 12 };

    [Fact]
    public async Task Alias_expanding_to_more_mailboxes_than_the_limit_is_refused()
    {
        await Dir.AddAliasAsync("all@example.org", Enumerable.Range(0, 6).Select(i => $"m{i}@elsewhere.example"));
        var r = await Resolve("all@example.org");
        Assert.Equal(ResolutionKind.ExpansionLimit, r.Kind);
        Assert.Empty(r.Mailboxes);
        Assert.Contains("MaxAliasExpansion", r.Detail);
    }

    [Fact]
    public async Task Alias_at_the_limit_is_expanded()
    {
        await Dir.AddAliasAsync("all@example.org", Enumerable.Range(0, 5).Select(i => $"m{i}@elsewhere.example"));
        var r = await Resolve("all@example.org");
        Assert.Equal(ResolutionKind.Resolved, r.Kind);
        Assert.Equal(5, r.Mailboxes.Count);
    }

    [Fact]
    public async Task Nested_aliases_costing_more_lookups_than_the_limit_are_refused()
    {
        // A tree of aliases whose leaves are all the same mailbox: few mailboxes, many lookups.
        await Dir.AddUserAsync("bob@example.org", "Password-123456");
        await Dir.AddAliasAsync("top@example.org", ["a@example.org", "b@example.org", "c@example.org", "d@example.org"]);
        foreach (var mid in new[] { "a", "b", "c", "d" })
            await Dir.AddAliasAsync($"{mid}@example.org", ["bob@example.org", "bob+1@example.org", "bob+2@example.org"]);
        var r = await Resolve("top@example.org");
        Assert.Equal(ResolutionKind.ExpansionLimit, r.Kind);
        Assert.Contains("MaxAliasLookups", r.Detail);
    }
}
