using System.Text;
using Postbote.Core.Delivery;
using Postbote.Delivery.Maildir;

namespace Postbote.Delivery.Tests;

public sealed class MaildirDeliveryAgentTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pb-maildir-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (System.IO.Directory.Exists(_root))
            System.IO.Directory.Delete(_root, recursive: true);
    }

    private MaildirDeliveryAgent Agent(long quota = 0, bool permanent = false) => new(new MaildirOptions
    {
        DataDirectory = _root,
        Hostname = "host:with/odd",
        QuotaBytes = quota,
        QuotaExceededIsPermanent = permanent,
    });

    private string Maildir(string domain, string localpart) => Path.Combine(_root, "mail", domain, localpart, "Maildir");

    [Fact]
    public async Task Message_lands_in_new_with_delivery_headers_and_exact_bytes()
    {
        var body = "Subject: x\r\n\r\n.dot line\r\nno final newline";
        var result = Assert.Single(await Agent().DeliverAsync(TestMessages.Request(body, "Bob@Example.ORG"), CancellationToken.None));
        Assert.Equal(DeliveryAction.Delivered, result.Action);

        var maildir = Maildir("example.org", "bob");
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(maildir, "tmp")));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(maildir, "cur")));
        var file = Assert.Single(System.IO.Directory.GetFiles(Path.Combine(maildir, "new")));
        var expected = Encoding.UTF8.GetBytes("Return-Path: <sender@example.org>\r\nDelivered-To: Bob@Example.ORG\r\n" + body);
        Assert.Equal(expected, await File.ReadAllBytesAsync(file));
        Assert.EndsWith($",S={expected.Length}", file);
        Assert.Contains(@"host\072with\057odd", Path.GetFileName(file));
    }

    [Fact]
    public async Task Two_deliveries_get_distinct_names()
    {
        var agent = Agent();
        await agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@example.org"), CancellationToken.None);
        await agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@example.org"), CancellationToken.None);
        Assert.Equal(2, System.IO.Directory.GetFiles(Path.Combine(Maildir("example.org", "bob"), "new")).Length);
    }

    [Fact]
    public async Task Over_quota_defers_with_4_2_2_by_default()
    {
        var agent = Agent(quota: 200);
        var first = Assert.Single(await agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@example.org"), CancellationToken.None));
        Assert.True(first.IsSuccess);
        var second = Assert.Single(await agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@example.org"), CancellationToken.None));
        Assert.Equal((DeliveryAction.Delayed, "4.2.2", FailureScope.Recipient), (second.Action, second.Status, second.Scope));
        Assert.Single(System.IO.Directory.GetFiles(Path.Combine(Maildir("example.org", "bob"), "new")));
    }

    [Fact]
    public async Task Over_quota_bounces_with_5_2_2_when_configured()
    {
        var result = Assert.Single(await Agent(quota: 10, permanent: true).DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@example.org"), CancellationToken.None));
        Assert.Equal((DeliveryAction.Failed, "5.2.2"), (result.Action, result.Status));
    }

    [Fact]
    public async Task Per_user_quota_lookup_overrides_the_default()
    {
        var agent = new MaildirDeliveryAgent(new MaildirOptions { DataDirectory = _root, QuotaBytes = 10 }, (address, _) => ValueTask.FromResult<long?>(address.StartsWith("big") ? 0 : null));
        Assert.True(Assert.Single(await agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "big@example.org"), CancellationToken.None)).IsSuccess);
        Assert.False(Assert.Single(await agent.DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, "small@example.org"), CancellationToken.None)).IsSuccess);
    }

    [Fact]
    public async Task Sent_copy_is_filed_seen_in_the_Sent_folder()
    {
        var result = Assert.Single(await Agent().DeliverToFolderAsync(TestMessages.Request(TestMessages.SimpleBody, "sender@example.org"), ".Sent", "S", CancellationToken.None));
        Assert.True(result.IsSuccess);
        var sent = Path.Combine(Maildir("example.org", "sender"), ".Sent");
        var file = Assert.Single(System.IO.Directory.GetFiles(Path.Combine(sent, "cur")));
        Assert.EndsWith(":2,S", file);
        Assert.True(File.Exists(Path.Combine(sent, "maildirfolder")));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(Maildir("example.org", "sender"), "new")));
    }

    [Theory]
    [InlineData("../evil@example.org")]
    [InlineData("a/b@example.org")]
    [InlineData("bob@..")]
    [InlineData("nodomain")]
    public async Task Address_that_would_escape_the_mail_directory_is_refused(string address)
    {
        var result = Assert.Single(await Agent().DeliverAsync(TestMessages.Request(TestMessages.SimpleBody, address), CancellationToken.None));
        Assert.Equal((DeliveryAction.Failed, "5.1.3"), (result.Action, result.Status));
        Assert.False(System.IO.Directory.Exists(Path.Combine(_root, "mail")));
    }

    [Fact]
    public void Template_tokens_are_substituted()
    {
        var agent = new MaildirDeliveryAgent(new MaildirOptions { DataDirectory = "/srv/pb", PathTemplate = "{DataDirectory}/{domain}/{user}/{localpart}" });
        Assert.Equal("/srv/pb/example.org/bob@example.org/bob", agent.ResolvePath("Bob@example.org"));
    }
}
