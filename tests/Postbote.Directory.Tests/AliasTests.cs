namespace Postbote.Directory.Tests;

public abstract class AliasTests(DirectoryProvider provider) : DirectoryTestBase(provider)
{
    [Fact]
    public async Task Add_list_remove()
    {
        Assert.Equal(2, await Dir.AddAliasAsync("Sales@Example.org", ["bob@example.org", "Carol@Elsewhere.COM"]));
        Assert.Equal(0, await Dir.AddAliasAsync("sales@example.org", ["BOB@example.org"]));
        Assert.Equal(1, await Dir.AddAliasAsync("@example.org", ["bob@example.org"]));

        var aliases = await Dir.ListAliasesAsync("example.org");
        Assert.Equal(["@example.org", "abuse@example.org", "sales@example.org"], aliases.Select(a => a.Source));
        Assert.True(aliases[0].IsCatchAll);
        Assert.Equal(["bob@example.org", "carol@elsewhere.com"], aliases[2].Targets);

        Assert.Equal(1, await Dir.RemoveAliasAsync("sales@example.org", "carol@elsewhere.com"));
        Assert.Equal(1, await Dir.RemoveAliasAsync("SALES@example.org"));
        Assert.Equal(0, await Dir.RemoveAliasAsync("sales@example.org"));
    }

    [Theory]
    [InlineData("x@example.com", "bob@example.org")] // source domain not local
    [InlineData("x@example.org", "bob")]             // target not an address
    [InlineData("x@example.org", "@example.org")]
    [InlineData("nonsense", "bob@example.org")]
    public async Task Add_refuses_bad_input(string source, string target) =>
        await Assert.ThrowsAsync<DirectoryException>(() => Dir.AddAliasAsync(source, [target]));

    [Fact]
    public async Task Add_refuses_an_alias_without_targets() =>
        await Assert.ThrowsAsync<DirectoryException>(() => Dir.AddAliasAsync("x@example.org", []));

    [Fact]
    public async Task Etc_aliases_import()
    {
        const string file = """
            # /etc/aliases
            mailer-daemon: postmaster
            root: admin, Ops@Partner.example

            admin:  alice,
                    bob@example.org
            	# aliases(5): an indented comment is still a comment, not a continuation
            logs: /var/log/mail.archive
            pipe: "|/usr/bin/procmail -a x", alice
            inc: :include:/etc/mail/list
            "quoted-name": alice
            broken line without colon
            """;
        var result = await Dir.ImportAliasesAsync(new StringReader(file), "example.org");

        var aliases = (await Dir.ListAliasesAsync("example.org")).ToDictionary(a => a.Source, a => a.Targets);
        Assert.Equal(["postmaster@example.org"], aliases["mailer-daemon@example.org"]);
        Assert.Equal(["admin@example.org", "ops@partner.example"], aliases["root@example.org"]);
        Assert.Contains("alice@example.org", aliases["admin@example.org"]);
        Assert.Contains("bob@example.org", aliases["admin@example.org"]);
        Assert.Equal(["alice@example.org"], aliases["pipe@example.org"]);
        Assert.Equal(["alice@example.org"], aliases["quoted-name@example.org"]);
        Assert.False(aliases.ContainsKey("logs@example.org"));
        Assert.False(aliases.ContainsKey("inc@example.org"));

        Assert.Equal(5, result.AliasesImported);
        Assert.Contains(result.Warnings, w => w.Contains("file target"));
        Assert.Contains(result.Warnings, w => w.Contains("pipe target"));
        Assert.Contains(result.Warnings, w => w.Contains(":include:"));
        Assert.Contains(result.Warnings, w => w.Contains("no \"name:\""));
    }

    [Fact]
    public async Task Import_into_a_non_local_domain_is_refused() =>
        await Assert.ThrowsAsync<DirectoryException>(() => Dir.ImportAliasesAsync(new StringReader("a: b"), "example.com"));
}
