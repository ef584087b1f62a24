using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;

namespace Postbote.Queue.Tests;

/// <summary>
/// A real spool in a temporary directory, a fake clock, a fake router, and a queue manager over them.
/// Notifications to the sender domain "sender.example" (local) land in <see cref="Sink"/>.
/// </summary>
internal sealed class QueueFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    public const string Sender = "alice@sender.example";
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "postbote-qmgr-" + Guid.NewGuid().ToString("N"));

    public QueueFixture(Action<QueueManagerOptions>? configure = null)
    {
        configure?.Invoke(Options);
        Loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        Spool = new Spool(_directory, Time, Loggers.CreateLogger<Spool>());
        Router.LocalDomains.Add("sender.example");
        Router.LocalDomains.Add("mx.test");
        Sink = new FakeDeliveryAgent("sink", Time, FakeDeliveryAgent.Sent(remote: null));
        Router.Agents["local:sender.example"] = Sink;
        Manager = NewManager();
    }

    public FakeTimeProvider Time { get; } = new(Start);
    public QueueManagerOptions Options { get; } = new() { Hostname = "mx.test" };
    public ListLoggerProvider Logs { get; } = new();
    public ILoggerFactory Loggers { get; }
    public Spool Spool { get; private set; }
    public FakeRouter Router { get; } = new();
    public FakeDeliveryAgent Sink { get; }
    public QueueManager Manager { get; private set; }

    public static readonly byte[] OriginalHeaders = Encoding.ASCII.GetBytes(
        "Received: from client.example ([192.0.2.1]) by mx.test with ESMTP id TEST\r\n" +
        "From: Alice <alice@sender.example>\r\n" +
        "To: Bob <bob@example.net>\r\n" +
        "Subject: Quarterly figures\r\n" +
        "Message-ID: <m1@sender.example>\r\n" +
        "X-Folded: one\r\n two\r\n");

    public static readonly byte[] OriginalMessage = [.. OriginalHeaders, .. "\r\nHello Bob,\r\nthe figures.\r\n"u8.ToArray()];

    public QueueManager NewManager() =>
        new(Spool, Router, Microsoft.Extensions.Options.Options.Create(Options), Time, Loggers);

    /// <summary>Stops the manager and starts a new one (and a new spool object) over the same directory: a restart.</summary>
    public async Task RestartAsync()
    {
        await Manager.StopAsync(CancellationToken.None);
        Spool = new Spool(_directory, Time, Loggers.CreateLogger<Spool>());
        Spool.Recover();
        Manager = NewManager();
        await StartAsync();
    }

    public FakeDeliveryAgent AddAgent(string nextHopKey, Func<DeliveryRequest, DeliveryRecipient, RecipientResult> answer, string name = "smtp")
    {
        var agent = new FakeDeliveryAgent(name, Time, answer);
        Router.Agents[nextHopKey] = agent;
        return agent;
    }

    public async Task StartAsync()
    {
        await Manager.StartAsync(CancellationToken.None);
        await IdleAsync();
    }

    public Task IdleAsync() => Manager.WhenIdleAsync(Settle);

    /// <summary>Advances the fake clock and waits until what became due has been handled.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await IdleAsync();
    }

    public async Task<string> EnqueueAsync(string from, params QueuedRecipient[] recipients) =>
        await EnqueueAsync(from, DsnReturn.Unspecified, null, recipients);

    public async Task<string> EnqueueAsync(string from, DsnReturn ret, string? envid, params QueuedRecipient[] recipients)
    {
        var envelope = new QueuedMessage
        {
            ArrivalTime = Time.GetUtcNow(), ReversePath = from, Return = ret, EnvelopeId = envid,
            ClientAddress = "192.0.2.1", Recipients = recipients.ToList(),
        };
        var id = await Spool.EnqueueAsync(OriginalMessage, envelope, CancellationToken.None);
        await IdleAsync();
        return id;
    }

    public static QueuedRecipient To(string address, DsnNotify notify = DsnNotify.None, string? orcpt = null) =>
        new() { Address = address, Notify = notify, OriginalRecipientParameter = orcpt };

    /// <summary>The notifications delivered to the sender's domain, parsed.</summary>
    public List<MimeMessage> Notices()
    {
        lock (Sink.Calls) return Sink.Calls.Select(c => MimeMessage.Load(new MemoryStream(c.Message))).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        Loggers.Dispose();
        try { System.IO.Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
