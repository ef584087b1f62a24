using Postbote.IntegrationTests.Infrastructure;
using Postbote.Queue;

namespace Postbote.IntegrationTests.LocalDelivery;

/// <summary>
/// Issue 11, "Sent copy race": the Sent copy was read from the spool after the commit had told the queue, so a
/// delivery that finished first (a local Maildir delivery can) removed the file and the copy was silently lost.
/// </summary>
public sealed class SentCopyRaceTests
{
    [Fact]
    public async Task SentCopy_IsFiled_EvenWhenDeliveryRemovesTheSpoolFileTheMomentItIsCommitted()
    {
        await using var server = await PostboteTestServer.StartAsync(); // the queue manager is off: this test is the delivery
        await server.AddUserAsync("bob@test.local", "pw-bob-1");
        // The fastest possible delivery: done, and the message gone from the spool, as the commit announces it.
        server.Spool.MessageCommitted += e =>
        {
            File.Delete(server.Spool.EnvelopePath(e.QueueId, QueueState.Active));
            File.Delete(server.Spool.MessagePath(e.QueueId));
        };

        await LocalMail.SubmitAsync(server.SubmissionPort, false, "bob@test.local", "pw-bob-1",
            LocalMail.NewMessage("bob@test.local", "someone@external.example", "raced", "hello"));

        var cur = Path.Combine(LocalMail.MaildirOf(server.DataDirectory, "bob@test.local"), ".Sent", "cur");
        Assert.True(System.IO.Directory.Exists(cur), "no Sent copy: " + string.Join(" | ", server.Log.Lines.Where(l => l.Contains("Sent copy"))));
        var copy = LocalMail.Load(Assert.Single(System.IO.Directory.GetFiles(cur)));
        Assert.Equal("raced", copy.Subject);
        Assert.Contains("hello", copy.TextBody);
        Assert.True(server.IsSpoolEmpty());
    }
}
