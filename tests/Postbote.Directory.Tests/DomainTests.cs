namespace Postbote.Directory.Tests;

public abstract class DomainTests(DirectoryProvider provider) : DirectoryTestBase(provider)
{
    [Fact]
    public async Task Schema_is_current_and_a_second_instance_sees_the_same_data()
    {
        Assert.Equal(Dir.LatestSchemaVersion, await Dir.SchemaVersionAsync());
        var again = await Store.OpenAsync();
        Assert.Equal(["example.net", "example.org"], await again.ListDomainsAsync());
    }

    [Fact]
    public async Task Migrating_again_changes_nothing()
    {
        Assert.Empty(await Dir.MigrateAsync());
        Assert.Empty(await (await Store.OpenAsync()).MigrateAsync());
        Assert.Equal(Dir.LatestSchemaVersion, await Dir.SchemaVersionAsync());
        Assert.Equal(["example.net", "example.org"], await Dir.ListDomainsAsync());
    }

    [Theory]
    [InlineData("Example.ORG", true)]
    [InlineData("example.org.", true)]
    [InlineData("example.com", false)]
    [InlineData("", false)]
    [InlineData("bad domain", false)]
    public async Task Contains_is_case_insensitive(string domain, bool expected) =>
        Assert.Equal(expected, await Dir.IsLocalDomainAsync(domain));

    [Fact]
    public async Task Domain_answers_are_cached_for_a_moment_but_changes_through_this_instance_apply_at_once()
    {
        Assert.False(await Dir.IsLocalDomainAsync("late.example"));
        Assert.True(await Dir.AddDomainAsync("late.example"));
        Assert.True(await Dir.IsLocalDomainAsync("late.example"));
        Assert.True(await Dir.RemoveDomainAsync("late.example"));
        Assert.False(await Dir.IsLocalDomainAsync("late.example"));
    }

    [Fact]
    public async Task A_domain_added_by_another_process_is_seen_once_the_cached_answer_expires()
    {
        var server = await Store.OpenAsync(new MailDirectoryOptions { DomainLookupCacheLifetime = TimeSpan.FromMilliseconds(200) });
        var cli = await Store.OpenAsync();
        Assert.False(await server.IsLocalDomainAsync("new.example"));
        Assert.True(await cli.AddDomainAsync("new.example"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await server.IsLocalDomainAsync("new.example") && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(await server.IsLocalDomainAsync("new.example"));
    }

    [Fact]
    public async Task Adding_twice_returns_false_and_stores_lower_case()
    {
        Assert.False(await Dir.AddDomainAsync("EXAMPLE.org"));
        Assert.True(await Dir.AddDomainAsync("Mail.Example.COM"));
        Assert.Contains("mail.example.com", await Dir.ListDomainsAsync());
    }

    [Fact]
    public async Task IDN_domains_are_stored_as_A_labels()
    {
        Assert.True(await Dir.AddDomainAsync("Bücher.example"));
        Assert.Contains("xn--bcher-kva.example", await Dir.ListDomainsAsync());
        Assert.True(await Dir.IsLocalDomainAsync("bücher.example"));
        Assert.True(await Dir.IsLocalDomainAsync("XN--BCHER-KVA.example"));
        await Dir.AddUserAsync("anna@bücher.example", "pw");
        Assert.NotNull(await Dir.FindUserAsync("Anna@xn--bcher-kva.example"));
    }

    [Fact]
    public async Task Removing_a_domain_with_users_needs_force()
    {
        await Dir.AddUserAsync("alice@example.net", "pw");
        await Assert.ThrowsAsync<DirectoryException>(() => Dir.RemoveDomainAsync("example.net"));
        Assert.True(await Dir.RemoveDomainAsync("example.net", force: true));
        Assert.False(await Dir.IsLocalDomainAsync("example.net"));
        Assert.Null(await Dir.FindUserAsync("alice@example.net"));
        Assert.False(await Dir.RemoveDomainAsync("example.net"));
    }

    [Fact]
    public async Task Removing_an_empty_domain_drops_its_default_abuse_alias()
    {
        Assert.True(await Dir.RemoveDomainAsync("example.net"));
        Assert.DoesNotContain(await Dir.ListAliasesAsync(), a => a.Source.EndsWith("@example.net"));
    }
}
