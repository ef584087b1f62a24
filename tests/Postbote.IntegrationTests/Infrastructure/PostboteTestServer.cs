using Postbote.Dns;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Postbote.Configuration;
using Postbote.Directory;
using Postbote.Hosting;
using Postbote.Queue;
using Postbote.Smtpd;

namespace Postbote.IntegrationTests.Infrastructure;

/// <summary>
/// The real server (the same composition root as `postbote serve`) in this process, on loopback ports the
/// kernel picks: an MX listener, a submission listener (STARTTLS) and an implicit-TLS one.
/// </summary>
public sealed class PostboteTestServer : IAsyncDisposable
{
    public const string Hostname = "mx.test.local";
    public const string Domain = "test.local";

    private readonly WebApplication _app;

    private PostboteTestServer(WebApplication app, string dataDirectory, CapturingLoggerProvider log)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Log = log;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        int Port(int i) => new Uri(addresses[i]).Port;
        MxPort = Port(0);
        SubmissionPort = Port(1);
        SubmissionsPort = Port(2);
    }

    public string DataDirectory { get; }
    public CapturingLoggerProvider Log { get; }
    public int MxPort { get; }
    public int SubmissionPort { get; }
    public int SubmissionsPort { get; }
    public Spool Spool => _app.Services.GetRequiredService<Spool>();
    public IServiceProvider Services => _app.Services;
    public IMailDirectory Directory => _app.Services.GetRequiredService<IMailDirectory>();

    /// <summary>
    /// Accept-path tests run with delivery deferred (the queue holds what was accepted) and a DNS server that
    /// does not exist on loopback, so nothing can ever leave the machine; delivery tests turn delivery on and
    /// point DNS at a <c>TestDnsServer</c>.
    /// </summary>
    public static PostboteOptions DefaultOptions(string dataDirectory) => new()
    {
        Queue = new Postbote.Queue.QueueManagerOptions { DeferDelivery = true },
        Dns = new Postbote.Configuration.DnsOptions { Servers = new[] { "127.0.0.1:1" }, Timeout = TimeSpan.FromSeconds(1) },
        // SPF, DKIM and DMARC would look up every sender in the nonexistent DNS above (temperror); MailAuth tests turn them on.
        MailAuth = new Postbote.MailAuth.MailAuthOptions { SpfEnabled = false, DkimVerifyEnabled = false, DmarcEnabled = false },
        Hostname = Hostname,
        Http = new HttpOptions { Endpoint = "" }, // no /metrics listener unless a test asks (tests/Postbote.IntegrationTests/Metrics)
        DataDirectory = dataDirectory,
        Domains = new[] { Domain },
        Listeners = new[]
        {
            new ListenerOptions { Name = "mx", Endpoint = "127.0.0.1:0", Role = ListenerRole.Mx },
            new ListenerOptions { Name = "submission", Endpoint = "127.0.0.1:0", Role = ListenerRole.Submission },
            new ListenerOptions { Name = "submissions", Endpoint = "127.0.0.1:0", Role = ListenerRole.Submission, ImplicitTls = true },
        },
    };

    /// <param name="time">A clock for the whole server (a FakeTimeProvider for tests of schedules); the system clock by default.</param>
    public static async Task<PostboteTestServer> StartAsync(Action<PostboteOptions>? configure = null, TimeProvider? time = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "postbote-it-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var options = DefaultOptions(dir);
        configure?.Invoke(options);
        var config = ConfigurationLoader.Resolve(options);
        var log = new CapturingLoggerProvider();
        var app = await ServerHost.BuildAsync(config, l => l.AddProvider(log), time);
        await app.StartAsync();
        return new PostboteTestServer(app, dir, log);
    }

    /// <summary>Adds a user with a password (the CLI's `postbote user add`).</summary>
    public Task AddUserAsync(string address, string password, bool cramMd5 = false) =>
        Directory.AddUserAsync(address, password, new UserSettings(cramMd5, false, null));

    /// <summary>Envelopes in the active queue.</summary>
    public IReadOnlyList<Core.Envelope.QueuedMessage> Queued() => Spool.List(QueueState.Active).ToList();

    /// <summary>
    /// Nothing left in the spool: no envelope and no message file. Removal takes the envelope first and the
    /// message file after it, so waiting for an empty active queue alone races the second step.
    /// </summary>
    public bool IsSpoolEmpty() => Queued().Count == 0 && !System.IO.Directory.EnumerateFiles(Spool.MessageDirectory).Any();

    public byte[] MessageBytes(string queueId) => File.ReadAllBytes(Spool.MessagePath(queueId));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { System.IO.Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
