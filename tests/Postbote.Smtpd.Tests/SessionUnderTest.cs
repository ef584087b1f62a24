using System.IO.Pipelines;
using Microsoft.Extensions.Time.Testing;
using Postbote.TestSupport.Dialogues;

namespace Postbote.Smtpd.Tests;

/// <summary>
/// One session of a <see cref="SessionHost"/> driven step by step from a test: the client end, the session's task,
/// the fake clock, and services that may carry the optional parts (ETRN, Sent folder) the host leaves out.
/// </summary>
public sealed class SessionUnderTest
{
    private SessionUnderTest(LineClient client, Task session, FakeTimeProvider time)
    {
        Client = client;
        Session = session;
        Time = time;
    }

    public LineClient Client { get; }
    public Task Session { get; }
    public FakeTimeProvider Time { get; }

    /// <summary>The host's services with the given optional parts.</summary>
    public static SmtpServices Services(SessionHost host, IEtrnService? etrn = null, ISentFolder? sent = null) => new()
    {
        Options = host.Services.Options,
        Spool = host.Spool,
        LoggerFactory = host.Services.LoggerFactory,
        Time = host.Services.Time,
        Authenticator = host.Services.Authenticator,
        Certificates = host.Services.Certificates,
        Connections = host.Services.Connections,
        Etrn = etrn,
        SentFolder = sent,
    };

    public static SessionUnderTest Start(SessionHost host, SmtpServices? services = null, PipeOptions? toServer = null, PipeOptions? toClient = null)
    {
        var input = new Pipe(toServer ?? PipeOptions.Default);
        var output = new Pipe(toClient ?? PipeOptions.Default);
        var session = RunAsync(new SmtpSession(new DuplexPipe(input.Reader, output.Writer), host.Client, host.Listener, services ?? host.Services, CancellationToken.None), output.Writer);
        return new SessionUnderTest(new LineClient(new DuplexPipe(output.Reader, input.Writer), TimeSpan.FromSeconds(10)), session, (FakeTimeProvider)host.Services.Time);
    }

    /// <summary>As the transport does when the session returns: the client reads the end of the stream.</summary>
    private static async Task RunAsync(SmtpSession session, PipeWriter toClient)
    {
        try { await session.RunAsync(); }
        finally { await toClient.CompleteAsync(); }
    }

    /// <summary>A client input that each write waits to see consumed: the session has read it when the write returns.</summary>
    public static PipeOptions Lockstep { get; } = new(pauseWriterThreshold: 1, resumeWriterThreshold: 1);

    /// <summary>Sends a command and returns the last line of its reply.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await Client.SendLineAsync(line);
        return (await Client.ReadReplyAsync())[^1];
    }

    /// <summary>Reads the greeting and says EHLO.</summary>
    public async Task GreetAsync()
    {
        Assert.StartsWith("220 ", (await Client.ReadReplyAsync())[^1]);
        Assert.StartsWith("250 ", await CommandAsync("EHLO client.example"));
    }

    /// <summary>
    /// Moves the fake clock on by <paramref name="step"/> until the session ends, at most <paramref name="steps"/>
    /// times, giving the session up to a second of real time after each step. True if it ended.
    /// </summary>
    public async Task<bool> AdvanceUntilEndedAsync(TimeSpan step, int steps)
    {
        for (int i = 0; i < steps && !Session.IsCompleted; i++)
        {
            Time.Advance(step);
            await WaitEndedAsync(TimeSpan.FromMilliseconds(200));
        }
        return await WaitEndedAsync(TimeSpan.FromSeconds(2));
    }

    /// <summary>Waits (in real time, bounded) for the session to end; true if it did.</summary>
    public async Task<bool> WaitEndedAsync(TimeSpan limit)
    {
        await Task.WhenAny(Session, Task.Delay(limit));
        return Session.IsCompleted;
    }
}
