using Postbote.TestSupport.Dialogues;

namespace Postbote.Smtpd.Tests;

/// <summary>
/// Every script in testdata/dialogues, run three ways (whole, line by line, one byte per flush) against a real
/// SmtpSession and spool. Script options checked after the dialogue: <c>! queued N</c> (envelopes in active/),
/// <c>! message BYTES</c> and <c>! message2 BYTES</c> (the client's bytes of the first and second queued message,
/// after our Received: field, with the escapes of client lines).
/// </summary>
public sealed class DialogueTests
{
    public static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "testdata", "dialogues");

    public static TheoryData<string, FeedMode> Scripts()
    {
        var data = new TheoryData<string, FeedMode>();
        foreach (var file in System.IO.Directory.GetFiles(ScriptDirectory, "*.smtp").Order(StringComparer.Ordinal))
            foreach (var mode in Enum.GetValues<FeedMode>())
                data.Add(Path.GetFileNameWithoutExtension(file), mode);
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Dialogue(string script, FeedMode mode)
    {
        var parsed = DialogueScript.Load(Path.Combine(ScriptDirectory, script + ".smtp"));
        using var host = SessionHost.Create(parsed.Options);
        await DialogueRunner.RunAsync(parsed, mode, pipe => host.ServeAsync(pipe));

        var ids = host.ActiveQueueIds();
        if (parsed.Option("queued") is { } queued) Assert.Equal(int.Parse(queued), ids.Length);
        string[] keys = ["message", "message2"];
        for (int i = 0; i < keys.Length; i++)
        {
            if (parsed.Option(keys[i]) is not { } expected) continue;
            var (received, clientBytes) = SessionHost.SplitReceived(host.MessageBytes(ids[i]));
            Assert.StartsWith("Received: from ", received);
            Assert.Contains($"by {SessionHost.Hostname} (Postbote) with ", received);
            Assert.Equal(LineClient.Printable(DialogueScript.Unescape(expected)), LineClient.Printable(clientBytes));
        }
    }

    [Fact]
    public void EveryScriptParses()
    {
        var files = System.IO.Directory.GetFiles(ScriptDirectory, "*.smtp");
        Assert.NotEmpty(files);
        foreach (var f in files) Assert.NotEmpty(DialogueScript.Load(f).Steps);
    }
}
