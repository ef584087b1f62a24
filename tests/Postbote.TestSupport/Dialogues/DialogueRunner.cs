using System.IO.Pipelines;

namespace Postbote.TestSupport.Dialogues;

/// <summary>
/// Plays a <see cref="DialogueScript"/> against a server over in-memory pipes (EXAMPLES.md pattern 9). The
/// server is any function that serves one connection on an <see cref="IDuplexPipe"/> (an SmtpSession in the
/// Smtpd tests); when it returns, its output is completed so the client sees the close. After the last step the
/// client closes its side and the runner checks that the server sent nothing the script did not expect.
/// </summary>
public static class DialogueRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static async Task RunAsync(DialogueScript script, FeedMode mode, Func<IDuplexPipe, Task> serveConnection)
    {
        var (clientEnd, serverEnd) = DuplexPipe.CreatePair();
        var server = Task.Run(async () =>
        {
            try { await serveConnection(serverEnd).ConfigureAwait(false); }
            finally
            {
                await serverEnd.Output.CompleteAsync().ConfigureAwait(false);
                await serverEnd.Input.CompleteAsync().ConfigureAwait(false);
            }
        });
        var client = new LineClient(clientEnd);
        bool closed = false;
        var steps = script.Steps;
        try
        {
            for (int i = 0; i < steps.Count; i++)
            {
                switch (steps[i])
                {
                    case DialogueStep.ClientSends:
                    {
                        var group = new List<byte>();
                        for (; i < steps.Count && steps[i] is DialogueStep.ClientSends send; i++)
                        {
                            if (mode == FeedMode.Whole) group.AddRange(send.Bytes);
                            else await client.SendAsync(send.Bytes, mode).ConfigureAwait(false);
                        }
                        i--;
                        if (mode == FeedMode.Whole) await client.SendAsync(group.ToArray(), mode).ConfigureAwait(false);
                        break;
                    }
                    case DialogueStep.ServerLine line:
                    {
                        var got = await client.ReadLineAsync().ConfigureAwait(false);
                        if (got != line.Expected) Fail(script, mode, line, $"expected \"{line.Expected}\", got {Show(got)}", client);
                        break;
                    }
                    case DialogueStep.ServerMatches match:
                    {
                        var got = await client.ReadLineAsync().ConfigureAwait(false);
                        if (got is null || !match.Pattern.IsMatch(got)) Fail(script, mode, match, $"expected a line matching /{match.Pattern}/, got {Show(got)}", client);
                        break;
                    }
                    case DialogueStep.ServerCloses close:
                    {
                        var got = await client.ReadLineAsync().ConfigureAwait(false);
                        if (got is not null) Fail(script, mode, close, $"expected the server to close, got {Show(got)}", client);
                        closed = true;
                        break;
                    }
                }
            }
            if (!closed)
            {
                // The client hangs up; the server must end without another word.
                await clientEnd.Output.CompleteAsync().ConfigureAwait(false);
                var extra = await client.ReadLineAsync().ConfigureAwait(false);
                if (extra is not null) Fail(script, mode, null, $"server sent an unexpected line after the script: \"{extra}\"", client);
            }
            await server.WaitAsync(Timeout).ConfigureAwait(false);
        }
        finally
        {
            await clientEnd.Output.CompleteAsync().ConfigureAwait(false);
            await clientEnd.Input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static string Show(string? line) => line is null ? "the connection closed" : $"\"{line}\"";

    private static void Fail(DialogueScript script, FeedMode mode, DialogueStep? step, string what, LineClient client)
        => throw new Xunit.Sdk.XunitException($"{script.Name}.smtp{(step is null ? "" : ":" + step.LineNumber)} ({mode}): {what}\nTranscript:\n{client.Transcript}");
}
