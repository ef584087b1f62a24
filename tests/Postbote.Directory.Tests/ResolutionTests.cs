namespace Postbote.Directory.Tests;

public abstract class ResolutionTests(DirectoryProvider provider) : DirectoryTestBase(provider)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Dir.AddUserAsync("alice@example.org", "pw");
        await Dir.AddUserAsync("bob@example.org", "pw");
        await Dir.AddUserAsync("carol@example.net", "pw");
    }

    [Theory]
    [InlineData("alice@example.org", "alice@example.org")]
    [InlineData("ALICE@Example.ORG", "alice@example.org")] // local part case-insensitive
    [InlineData("<alice@example.org>", "alice@example.org")]
    [InlineData("alice+news@example.org", "alice@example.org")] // plus addressing
    [InlineData("Alice+News+More@example.org", "alice@example.org")]
    public async Task Users(string address, string expected)
    {
        var r = await Resolve(address);
        Assert.Equal(ResolutionKind.Resolved, r.Kind);
        Assert.Equal([new ResolvedMailbox(expected, MailboxKind.LocalUser)], r.Mailboxes);
    }

    [Theory]
    [InlineData("nobody@example.org", ResolutionKind.UnknownUser)]
    [InlineData("+tag@example.org", ResolutionKind.UnknownUser)]
    [InlineData("nobody+alice@example.org", ResolutionKind.UnknownUser)]
    [InlineData("alice@example.com", ResolutionKind.NotLocal)]
    [InlineData("alice", ResolutionKind.InvalidAddress)]
    [InlineData("", ResolutionKind.InvalidAddress)]
    [InlineData("alice@bad domain", ResolutionKind.InvalidAddress)]
    public async Task Failures(string address, ResolutionKind kind) => Assert.Equal(kind, (await Resolve(address)).Kind);

    [Fact]
    public async Task Plus_separator_is_configurable()
    {
        var dir = await OpenFreshAsync(new MailDirectoryOptions { RecipientDelimiters = "-" });
        await dir.AddDomainAsync("example.org");
        await dir.AddUserAsync("alice@example.org", "pw");
        Assert.True((await dir.ResolveRecipientAsync("alice-list@example.org")).IsResolved);
        Assert.False((await dir.ResolveRecipientAsync("alice+list@example.org")).IsResolved);
    }

    [Fact]
    public async Task Aliases_expand_recursively_to_local_and_external_mailboxes()
    {
        await Dir.AddAliasAsync("team@example.org", ["alice@example.org", "staff@example.org"]);
        await Dir.AddAliasAsync("staff@example.org", ["bob@example.org", "carol@example.net", "ext@partner.example", "alice@example.org"]);
        var r = await Resolve("Team+x@example.org");
        Assert.Equal(ResolutionKind.Resolved, r.Kind);
        Assert.Equal([
            new ResolvedMailbox("alice@example.org", MailboxKind.LocalUser),
            new ResolvedMailbox("bob@example.org", MailboxKind.LocalUser),
            new ResolvedMailbox("carol@example.net", MailboxKind.LocalUser),
            new ResolvedMailbox("ext@partner.example", MailboxKind.External)], r.Mailboxes);
    }

    [Fact]
    public async Task An_alias_for_a_user_takes_precedence_and_may_keep_a_local_copy()
    {
        await Dir.AddAliasAsync("alice@example.org", ["alice@example.org", "alice@gmail.example"]);
        var r = await Resolve("alice@example.org");
        Assert.Equal(["alice@example.org", "alice@gmail.example"], Addresses(r));
        Assert.Equal(MailboxKind.LocalUser, r.Mailboxes[0].Kind);
    }

    [Fact]
    public async Task A_loop_is_reported_not_followed()
    {
        await Dir.AddAliasAsync("a@example.org", ["b@example.org"]);
        await Dir.AddAliasAsync("b@example.org", ["c@example.org"]);
        await Dir.AddAliasAsync("c@example.org", ["a@example.org", "alice@example.org"]);
        var r = await Resolve("a@example.org");
        Assert.Equal(ResolutionKind.AliasLoop, r.Kind);
        Assert.Empty(r.Mailboxes);
        Assert.Contains("a@example.org -> b@example.org -> c@example.org -> a@example.org", r.Detail);
    }

    [Fact]
    public async Task A_loop_through_the_catch_all_is_reported()
    {
        await Dir.AddAliasAsync("@example.org", ["missing@example.org"]);
        Assert.Equal(ResolutionKind.AliasLoop, (await Resolve("whoever@example.org")).Kind);
    }

    [Fact]
    public async Task Too_deep_nesting_is_reported_as_a_loop()
    {
        for (int i = 0; i < 25; i++) await Dir.AddAliasAsync($"l{i}@example.org", [$"l{i + 1}@example.org"]);
        await Dir.AddAliasAsync("l25@example.org", ["alice@example.org"]);
        var r = await Resolve("l0@example.org");
        Assert.Equal(ResolutionKind.AliasLoop, r.Kind);
        Assert.Contains("deeper", r.Detail);
        Assert.True((await Resolve("l10@example.org")).IsResolved); // 15 levels is fine
    }

    [Fact]
    public async Task A_diamond_is_not_a_loop()
    {
        await Dir.AddAliasAsync("top@example.org", ["left@example.org", "right@example.org"]);
        await Dir.AddAliasAsync("left@example.org", ["alice@example.org"]);
        await Dir.AddAliasAsync("right@example.org", ["alice@example.org"]);
        var r = await Resolve("top@example.org");
        Assert.Equal(["alice@example.org"], Addresses(r));
    }

    [Fact]
    public async Task Catch_all_is_used_only_when_nothing_else_matches()
    {
        await Dir.AddAliasAsync("@example.org", ["bob@example.org"]);
        await Dir.AddAliasAsync("sales@example.org", ["alice@example.org"]);
        Assert.Equal(["alice@example.org"], Addresses(await Resolve("alice@example.org")));
        Assert.Equal(["alice@example.org"], Addresses(await Resolve("alice+tag@example.org")));
        Assert.Equal(["alice@example.org"], Addresses(await Resolve("sales@example.org")));
        Assert.Equal(["bob@example.org"], Addresses(await Resolve("anything@example.org")));
        Assert.Equal(ResolutionKind.UnknownUser, (await Resolve("anything@example.net")).Kind);
    }

    [Fact]
    public async Task Dangling_targets_are_reported_and_the_rest_delivered()
    {
        await Dir.AddAliasAsync("list@example.org", ["alice@example.org", "gone@example.org"]);
        var r = await Resolve("list@example.org");
        Assert.Equal(["alice@example.org"], Addresses(r));
        Assert.Equal(["gone@example.org"], r.Unresolved);

        await Dir.AddAliasAsync("dead@example.org", ["gone@example.org"]);
        var dead = await Resolve("dead@example.org");
        Assert.Equal(ResolutionKind.UnknownUser, dead.Kind);
        Assert.Equal(["gone@example.org"], dead.Unresolved);
    }

    [Theory] // RFC 5321 §4.5.1: postmaster always exists; RFC 2142: abuse@ by default goes there too
    [InlineData("postmaster@example.org")]
    [InlineData("PostMaster@example.net")]
    [InlineData("abuse@example.org")]
    public async Task Postmaster_and_abuse_resolve_to_the_postmaster_marker_by_default(string address)
    {
        var r = await Resolve(address);
        Assert.Equal(ResolutionKind.Resolved, r.Kind);
        var mailbox = Assert.Single(r.Mailboxes);
        Assert.Equal(MailboxKind.Postmaster, mailbox.Kind);
        Assert.StartsWith("postmaster@", mailbox.Address);
    }

    [Fact]
    public async Task Postmaster_alias_wins_and_abuse_can_be_removed()
    {
        await Dir.AddAliasAsync("postmaster@example.org", ["alice@example.org"]);
        Assert.Equal(["alice@example.org"], Addresses(await Resolve("postmaster@example.org")));
        Assert.Equal(["alice@example.org"], Addresses(await Resolve("abuse@example.org")));

        Assert.Equal(1, await Dir.RemoveAliasAsync("abuse@example.org"));
        Assert.Equal(ResolutionKind.UnknownUser, (await Resolve("abuse@example.org")).Kind);
        Assert.Equal(1, await Dir.RemoveAliasAsync("postmaster@example.org"));
        Assert.Equal(MailboxKind.Postmaster, (await Resolve("postmaster@example.org")).Mailboxes[0].Kind);
    }

    [Fact]
    public async Task An_abuse_user_replaces_the_default_abuse_alias()
    {
        await Dir.AddUserAsync("abuse@example.org", "pw");
        Assert.Equal([new ResolvedMailbox("abuse@example.org", MailboxKind.LocalUser)], (await Resolve("abuse@example.org")).Mailboxes);
        Assert.Equal(MailboxKind.Postmaster, (await Resolve("abuse@example.net")).Mailboxes[0].Kind);
    }

    [Fact]
    public async Task Configured_postmaster_address_is_used()
    {
        var dir = await OpenFreshAsync(new MailDirectoryOptions { PostmasterAddress = "admin@example.org" });
        await dir.AddDomainAsync("example.org");
        await dir.AddDomainAsync("example.net");
        await dir.AddUserAsync("admin@example.org", "pw");
        foreach (var a in new[] { "postmaster@example.net", "abuse@example.net", "postmaster@example.org" })
            Assert.Equal([new ResolvedMailbox("admin@example.org", MailboxKind.LocalUser)], (await dir.ResolveRecipientAsync(a)).Mailboxes);
    }

    [Fact]
    public async Task Owns_sender()
    {
        await Dir.AddAliasAsync("team@example.org", ["alice@example.org", "bob@example.org"]);
        await Dir.AddAliasAsync("info@example.org", ["team@example.org"]);
        await Dir.AddAliasAsync("@example.org", ["alice@example.org"]);

        Assert.True(await Dir.OwnsSenderAsync("alice@example.org", "alice@example.org"));
        Assert.True(await Dir.OwnsSenderAsync("ALICE@example.org", "Alice+lists@Example.org"));
        Assert.True(await Dir.OwnsSenderAsync("alice@example.org", "info@example.org"));
        Assert.True(await Dir.OwnsSenderAsync("bob@example.org", "team@example.org"));
        Assert.True(await Dir.OwnsSenderAsync("bob@example.org", ""));
        Assert.False(await Dir.OwnsSenderAsync("bob@example.org", "alice@example.org"));
        Assert.False(await Dir.OwnsSenderAsync("alice@example.org", "random@example.org")); // catch-all is not ownership
        Assert.False(await Dir.OwnsSenderAsync("alice@example.org", "alice@example.com"));
        Assert.False(await Dir.OwnsSenderAsync("nobody@example.org", "nobody@example.org"));

        await Dir.SetSendAsAnyoneAsync("bob@example.org", true);
        Assert.True(await Dir.OwnsSenderAsync("bob@example.org", "alice@example.com"));
    }
}
