using System.Net;
using System.Net.Http;
using Postbote.Queue;

namespace Postbote.IntegrationTests.Dashboard;

/// <summary>Issue 15 (dashboard): the queue, directory, log and overview pages show the server's state and their actions change it.</summary>
public sealed class DashboardPagesTests
{
    [Fact]
    public async Task QueueList_SearchSortAndDetail_ShowTheMessage()
    {
        await using var server = await DashboardClient.StartServerAsync(o => o.Http.Dashboard.PageSize = 2);
        string a = await DashboardClient.QueueMessageAsync(server, "alice@remote.example", "bob@test.local");
        string b = await DashboardClient.QueueMessageAsync(server, "carol@other.example", "dave@test.local");
        string c = await DashboardClient.QueueMessageAsync(server, "erin@remote.example", "frank@test.local");
        using var client = new DashboardClient(server);
        await client.LoginOkAsync();

        var page1 = await client.PageAsync("/queue?sort=id&dir=asc");
        Assert.Contains("3 of 3 messages", page1);
        Assert.Contains("page 1 of 2", page1);
        var ids = new[] { a, b, c }.Order(StringComparer.Ordinal).ToArray();
        Assert.True(page1.IndexOf(ids[0], StringComparison.Ordinal) < page1.IndexOf(ids[1], StringComparison.Ordinal));
        Assert.DoesNotContain(ids[2], page1);
        Assert.Contains(ids[2], await client.PageAsync("/queue?sort=id&dir=asc&page=2"));

        var search = await client.PageAsync("/queue?q=carol");
        Assert.Contains(b, search);
        Assert.DoesNotContain(a, search);
        Assert.Contains("1 of 3 messages", await client.PageAsync("/queue?q=" + a.ToLowerInvariant()));
        Assert.Contains("0 of 3 messages", await client.PageAsync("/queue?state=hold"));

        var detail = await client.PageAsync($"/queue/{a}");
        Assert.Contains("alice@remote.example", detail);
        Assert.Contains("bob@test.local", detail);
        Assert.Contains("Subject: dash", detail);   // headers
        Assert.Contains("queued from=&lt;alice@remote.example&gt;", detail); // its log lines
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/queue/06B1Q2TM7QGY")).Status);
    }

    [Fact]
    public async Task HoldReleaseFlushBounceDelete_GoThroughAConfirmationAndChangeTheQueue()
    {
        await using var server = await DashboardClient.StartServerAsync();
        string id = await DashboardClient.QueueMessageAsync(server);
        string other = await DashboardClient.QueueMessageAsync(server, to: "gina@test.local");
        using var client = new DashboardClient(server);
        await client.LoginOkAsync();

        var confirm = await client.PageAsync($"/queue/{id}/hold");
        Assert.Contains("on hold?", confirm);
        Assert.Empty(server.Spool.List(QueueState.Hold)); // the GET changed nothing

        using (var r = await client.PostAsync($"/queue/{id}/hold", [], $"/queue/{id}/hold"))
            Assert.Equal($"/queue/{id}?done=hold", r.Headers.Location?.ToString());
        Assert.Equal([id], server.Spool.List(QueueState.Hold).Select(m => m.QueueId));
        Assert.Contains("put on hold", await client.PageAsync($"/queue/{id}?done=hold"));
        Assert.Contains(server.Log.Lines, l => l.Contains($"{id}: placed on hold", StringComparison.Ordinal));
        Assert.Contains(server.Log.Lines, l => l.Contains($"dashboard: {DashboardClient.Admin} from [127.0.0.1]: queue hold {id}", StringComparison.Ordinal));

        using (var r = await client.PostAsync($"/queue/{id}/hold", [], $"/queue/{id}/release")) Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        using (var r = await client.PostAsync($"/queue/{id}/release", [], $"/queue/{id}/release")) Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Empty(server.Spool.List(QueueState.Hold));
        Assert.Contains(server.Queued(), m => m.QueueId == id);
        using (var r = await client.PostAsync($"/queue/{id}/release", [], $"/queue/{id}/release")) Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        using (var r = await client.PostAsync($"/queue/{id}/flush", [], $"/queue/{id}/flush")) Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        using (var r = await client.PostAsync("/flush", [], "/flush")) Assert.StartsWith("/queue?done=flush-all&count=", r.Headers.Location?.ToString());

        using (var r = await client.PostAsync($"/queue/{id}/delete", [], $"/queue/{id}/delete")) Assert.Equal($"/queue?done=delete&id={id}", r.Headers.Location?.ToString());
        Assert.DoesNotContain(server.Queued(), m => m.QueueId == id);
        Assert.Contains($"{id} deleted", await client.PageAsync($"/queue?done=delete&id={id}"));
        using (var r = await client.PostAsync($"/queue/{id}/delete", [], $"/queue/{other}/delete")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);

        using (var r = await client.PostAsync($"/queue/{other}/bounce", [], $"/queue/{other}/bounce")) Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.DoesNotContain(server.Queued(), m => m.QueueId == other);
        Assert.Contains(server.Log.Lines, l => l.Contains($"{other}: returned to sender by the administrator", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DirectoryPages_AddChangeAndRemoveDomainsUsersAndAliases()
    {
        await using var server = await DashboardClient.StartServerAsync();
        using var client = new DashboardClient(server);
        await client.LoginOkAsync();

        using (var r = await client.PostAsync("/domains/add", [("domain", "Example.ORG")], "/domains")) Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Contains("example.org", await server.Directory.ListDomainsAsync());
        Assert.Contains("example.org", await client.PageAsync("/domains"));

        using (var r = await client.PostAsync("/users/add", [("address", "me@example.org"), ("password", "User-pw-1"), ("password2", "User-pw-1"), ("quota", "1000000")], "/users"))
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        var user = await server.Directory.FindUserAsync("me@example.org");
        Assert.Equal(1000000, user?.QuotaBytes);
        Assert.Contains("me@example.org", await client.PageAsync("/users?domain=example.org"));
        using (var r = await client.PostAsync("/users/add", [("address", "me@example.org"), ("password", "x"), ("password2", "x")], "/users"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains("already exists", await r.Content.ReadAsStringAsync());
        }
        using (var r = await client.PostAsync("/users/add", [("address", "you@example.org"), ("password", "a"), ("password2", "b")], "/users"))
            Assert.Contains("differ", await r.Content.ReadAsStringAsync());

        using (var r = await client.PostAsync("/users/passwd", [("address", "me@example.org"), ("password", "User-pw-2"), ("password2", "User-pw-2")], "/users/passwd?address=me@example.org"))
            Assert.Equal("/users?done=passwd", r.Headers.Location?.ToString());
        var creds = await server.Directory.FindAsync("me@example.org", default);
        Assert.True(Postbote.Core.Sasl.ScramCredentials.Verify("User-pw-2", creds!.ScramSha256!));

        using (var r = await client.PostAsync("/aliases/add", [("source", "info@example.org"), ("targets", "me@example.org, you@elsewhere.example")], "/aliases"))
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        var aliases = await client.PageAsync("/aliases?domain=example.org");
        Assert.Contains("you@elsewhere.example", aliases);
        using (var r = await client.PostAsync("/aliases/remove", [("source", "info@example.org"), ("target", "you@elsewhere.example")], "/aliases/remove?source=info@example.org"))
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal(["me@example.org"], (await server.Directory.ListAliasesAsync("example.org")).Single(a => a.Source == "info@example.org").Targets);

        using (var r = await client.PostAsync("/domains/remove", [("domain", "example.org")], "/domains/remove?domain=example.org"))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode); // it has users: refused without force
        using (var r = await client.PostAsync("/users/remove", [("address", "me@example.org")], "/users/remove?address=me@example.org"))
            Assert.Equal("/users?done=removed", r.Headers.Location?.ToString());
        Assert.Null(await server.Directory.FindUserAsync("me@example.org"));
        using (var r = await client.PostAsync("/domains/remove", [("domain", "example.org"), ("force", "true")], "/domains/remove?domain=example.org"))
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.DoesNotContain("example.org", await server.Directory.ListDomainsAsync());
    }

    [Fact]
    public async Task DkimPage_ShowsTheRecordToPublish()
    {
        await using var server = await DashboardClient.StartServerAsync();
        var store = new Postbote.MailAuth.Dkim.DkimKeyStore(Path.Combine(server.DataDirectory, "dkim"));
        using var key = store.Create("test.local", "sel1", Postbote.MailAuth.Dkim.DkimAlgorithm.Ed25519Sha256, 0, DateTimeOffset.UtcNow);
        using var client = new DashboardClient(server);
        await client.LoginOkAsync();
        var page = await client.PageAsync("/dkim");
        Assert.Contains("sel1._domainkey.test.local", page);
        Assert.Contains(key.PublicKeyBase64, WebUtility.HtmlDecode(page));
        Assert.Contains("signing", page);
    }

    [Fact]
    public async Task LogPage_ShowsTheLastLines_AndTheStreamSendsNewOnes()
    {
        await using var server = await DashboardClient.StartServerAsync();
        string first = await DashboardClient.QueueMessageAsync(server);
        using var client = new DashboardClient(server);
        await client.LoginOkAsync();
        var page = await client.PageAsync("/log?q=" + first);
        Assert.Contains($"{first}: queued from=&lt;alice@remote.example&gt;", page);
        Assert.DoesNotContain("connect from", page); // filtered by the queue id

        using var stream = await client.Http.GetAsync("/log/stream?q=remote.example", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        string second = await DashboardClient.QueueMessageAsync(server, from: "zoe@remote.example");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? line;
        while ((line = await reader.ReadLineAsync(deadline.Token)) is not null && !line.Contains($"{second}: queued from=&lt;zoe@remote.example&gt;", StringComparison.Ordinal)) { }
        Assert.NotNull(line);
        Assert.StartsWith("data: ", line);
    }

    [Fact]
    public async Task Overview_CountsMove_AfterMailIsReceived()
    {
        await using var server = await DashboardClient.StartServerAsync();
        using var client = new DashboardClient(server);
        await client.LoginOkAsync();
        var before = await client.PageAsync("/");
        Assert.Contains("id=\"total-received\">0<", before);
        Assert.Contains("<svg class=\"chart\"", before);
        await DashboardClient.QueueMessageAsync(server);
        await using (var smtp = await Postbote.IntegrationTests.Infrastructure.RawSmtpClient.ConnectAsync(server.MxPort))
        {
            await smtp.ReadAsync();
            await smtp.CommandAsync("EHLO client.example");
            Assert.StartsWith("250", await smtp.CommandAsync("MAIL FROM:<alice@remote.example>"));
            Assert.StartsWith("554", await smtp.CommandAsync("RCPT TO:<carol@elsewhere.example>")); // relay refused
            await smtp.CommandAsync("QUIT");
        }
        var after = await client.PageAsync("/");
        Assert.Contains("id=\"total-queued\">1<", after);
        Assert.Contains("id=\"total-received\">1<", after);
        Assert.Contains("id=\"total-rejected\">1<", after);
        Assert.Contains("data-state=\"active\">1<", after);
        Assert.Contains("in (queued): 1", after);
        Assert.Contains("<a href=\"/queue?domain=test.local\">test.local</a>", after);
    }
}
