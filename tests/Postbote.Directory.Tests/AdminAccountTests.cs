namespace Postbote.Directory.Tests;

/// <summary>
/// Issue 15 (dashboard): administrators are a role of their own. Their passwords are stored as SCRAM keys like
/// the mail users', in a separate table, so a mail user's credentials never open the dashboard and an admin is no mailbox.
/// </summary>
public abstract class AdminAccountTests(DirectoryProvider provider) : DirectoryTestBase(provider)
{
    [Fact]
    public async Task Added_admin_verifies_with_its_password_only()
    {
        var added = await Dir.AddAdminAsync("Alice", "Admin-pw-1");
        Assert.Equal("alice", added.Name);
        Assert.Equal("alice", (await Dir.VerifyAdminAsync("alice", "Admin-pw-1"))?.Name);
        Assert.Equal("alice", (await Dir.VerifyAdminAsync("ALICE", "Admin-pw-1"))?.Name);
        Assert.Null(await Dir.VerifyAdminAsync("alice", "admin-pw-1"));
        Assert.Null(await Dir.VerifyAdminAsync("alice", ""));
        Assert.Null(await Dir.VerifyAdminAsync("nobody", "Admin-pw-1"));
    }

    [Fact]
    public async Task Mail_user_cannot_log_in_as_admin_and_admin_is_no_mail_user()
    {
        await Dir.AddUserAsync("bob@example.org", "User-pw-1");
        await Dir.AddAdminAsync("carol", "Admin-pw-1");
        Assert.Null(await Dir.VerifyAdminAsync("bob@example.org", "User-pw-1")); // '@' is not even an admin name
        Assert.Null(await Dir.FindAdminAsync("bob@example.org"));
        Assert.Null(await Dir.FindAsync("carol", default));
        Assert.Null(await Dir.FindUserAsync("carol@example.org"));
        Assert.DoesNotContain(await Dir.ListUsersAsync(), u => u.Address.StartsWith("carol", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Password_is_never_stored_in_plain_text()
    {
        await Dir.AddAdminAsync("dave", "Very-distinct-secret-42");
        string all = await Store.RawContentsAsync();
        Assert.Contains("dave", all); // the dump reads the rows
        Assert.DoesNotContain("Very-distinct-secret-42", all);
    }

    [Fact]
    public async Task Passwd_changes_the_password_and_the_stamp()
    {
        var before = await Dir.AddAdminAsync("erin", "Old-pw-1");
        Assert.True(await Dir.SetAdminPasswordAsync("erin", "New-pw-2"));
        Assert.Null(await Dir.VerifyAdminAsync("erin", "Old-pw-1"));
        var after = await Dir.VerifyAdminAsync("erin", "New-pw-2");
        Assert.NotNull(after);
        Assert.NotEqual(before.Stamp, after.Stamp);
        Assert.False(await Dir.SetAdminPasswordAsync("nobody", "x-pw-3"));
    }

    [Fact]
    public async Task Remove_and_list()
    {
        await Dir.AddAdminAsync("zed", "Pw-zed-1");
        await Dir.AddAdminAsync("amy", "Pw-amy-1");
        Assert.Equal(["amy", "zed"], (await Dir.ListAdminsAsync()).Select(a => a.Name));
        Assert.True(await Dir.RemoveAdminAsync("ZED"));
        Assert.False(await Dir.RemoveAdminAsync("zed"));
        Assert.Null(await Dir.VerifyAdminAsync("zed", "Pw-zed-1"));
        Assert.Equal(["amy"], (await Dir.ListAdminsAsync()).Select(a => a.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("bob@example.org")]
    [InlineData("semi;colon")]
    [InlineData("ünicode")]
    public async Task Invalid_names_are_refused(string name)
    {
        var e = await Assert.ThrowsAsync<DirectoryException>(() => Dir.AddAdminAsync(name, "Pw-1"));
        Assert.Contains("not an admin name", e.Message);
    }

    [Fact]
    public async Task Duplicate_name_and_empty_password_are_refused()
    {
        await Dir.AddAdminAsync("frank", "Pw-1");
        Assert.Contains("already exists", (await Assert.ThrowsAsync<DirectoryException>(() => Dir.AddAdminAsync("FRANK", "Pw-2"))).Message);
        Assert.Contains("empty", (await Assert.ThrowsAsync<DirectoryException>(() => Dir.AddAdminAsync("gina", ""))).Message);
    }

    [Fact]
    public async Task Admins_survive_reopening_the_database()
    {
        await Dir.AddAdminAsync("hank", "Pw-hank-1");
        Dir.Dispose();
        var reopened = await Store.OpenAsync();
        Assert.NotNull(await reopened.VerifyAdminAsync("hank", "Pw-hank-1"));
    }
}
