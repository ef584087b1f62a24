using Postbote.TestSupport.Dialogues;

namespace Postbote.Smtpd.Tests;

public sealed class Issue2_BdatRefusalSurvivesRsetTests
{
    /// <summary>
    /// RFC 3030 §2 / RFC 5321 §4.1.1.5: RSET (and a new EHLO) clears the BDAT state. SmtpSession keeps
    /// <c>_bdatError</c> from a refused non-LAST chunk across RSET, so the next, valid transaction's BDAT is refused
    /// with the old 503.
    /// </summary>
    [Theory]
    [InlineData(FeedMode.Whole)]
    [InlineData(FeedMode.LineByLine)]
    [InlineData(FeedMode.BytePerFlush)]
    public async Task Rset_ClearsBdatState_Rfc3030_Section2(FeedMode mode)
    {
        var script = DialogueScript.Load(Path.Combine(AppContext.BaseDirectory, "testdata", "bugs", "bdat-error-then-rset.smtp"));
        using var host = SessionHost.Create(script.Options);
        await DialogueRunner.RunAsync(script, mode, pipe => host.ServeAsync(pipe));
        Assert.Single(host.ActiveQueueIds());
    }
}
