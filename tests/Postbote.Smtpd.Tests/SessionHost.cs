using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Postbote.Queue;
using Postbote.Smtpd.Tls;

namespace Postbote.Smtpd.Tests;

/// <summary>
/// A server for one in-memory connection at a time: real <see cref="Spool"/> in a temporary directory, settings
/// taken from a dialogue script's <c>! key value</c> options. Disposing it removes the directory.
/// </summary>
public sealed class SessionHost : IDisposable
{
    public const string Hostname = "mx.example.org";

    private SessionHost(string directory, SmtpServices services, SmtpListener listener, IPEndPoint client)
    {
        Directory = directory;
        Services = services;
        Listener = listener;
        Client = client;
    }

    public string Directory { get; }
    public SmtpServices Services { get; }
    public SmtpListener Listener { get; }
    public IPEndPoint Client { get; }
    public Spool Spool => Services.Spool;

    /// <summary>
    /// Options: <c>role Mx|Submission</c>, <c>client ADDRESS</c>, <c>trusted CIDR</c>, <c>auth fake</c>,
    /// <c>cleartext-auth true</c>, <c>mx-auth true</c>, <c>tls on</c>, <c>long-lines reject</c> and any
    /// <see cref="SmtpdLimits"/> property by name (<c>MessageSizeBytes 1024</c>).
    /// </summary>
    public static SessionHost Create(IReadOnlyDictionary<string, string>? options = null, ISmtpAuthenticator? authenticator = null, bool tls = false)
    {
        options ??= new Dictionary<string, string>();
        string Opt(string key, string fallback) => options.TryGetValue(key, out var v) ? v : fallback;
        var dir = Path.Combine(Path.GetTempPath(), "postbote-smtpd-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        var limits = new SmtpdLimits();
        foreach (var prop in typeof(SmtpdLimits).GetProperties())
        {
            if (!options.TryGetValue(prop.Name, out var value)) continue;
            object parsed = prop.PropertyType == typeof(long) ? long.Parse(value)
                : prop.PropertyType == typeof(int) ? int.Parse(value)
                : prop.PropertyType == typeof(TimeSpan) ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
                : Enum.Parse(prop.PropertyType, value, ignoreCase: true);
            prop.SetValue(limits, parsed);
        }
        var trusted = Opt("trusted", "") is { Length: > 0 } t ? new[] { IPNetwork.Parse(t) } : Array.Empty<IPNetwork>();
        var smtpOptions = new SmtpServerOptions
        {
            Hostname = Hostname,
            LocalDomains = new HashSet<string> { "example.org", Hostname },
            Limits = limits,
            TrustedNetworks = trusted,
            AllowCleartextAuth = bool.Parse(Opt("cleartext-auth", "false")),
        };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 11, 0, 0, TimeSpan.Zero));
        var spool = new Spool(Path.Combine(dir, "queue"), time, NullLogger<Spool>.Instance);
        if (Opt("auth", "") == "fake") authenticator ??= new FakeAuthenticator();
        CertificateProvider? certs = null;
        if (tls || Opt("tls", "off") == "on")
            certs = new CertificateProvider(null, null, dir, Hostname, TimeProvider.System, NullLogger<CertificateProvider>.Instance);
        var services = new SmtpServices
        {
            Options = smtpOptions,
            Spool = spool,
            LoggerFactory = NullLoggerFactory.Instance,
            Time = time,
            Authenticator = authenticator,
            Certificates = certs,
        };
        var role = Enum.Parse<ListenerRole>(Opt("role", "Mx"), ignoreCase: true);
        var listener = new SmtpListener(role.ToString(), new IPEndPoint(IPAddress.Loopback, 0), role, ImplicitTls: false)
        {
            OfferAuth = role == ListenerRole.Submission || bool.Parse(Opt("mx-auth", "false")),
        };
        var client = new IPEndPoint(IPAddress.Parse(Opt("client", "198.51.100.7")), 40000);
        return new SessionHost(dir, services, listener, client);
    }

    /// <summary>Serves one connection until the session ends.</summary>
    public Task ServeAsync(IDuplexPipe connection, CancellationToken stopping = default)
        => new SmtpSession(connection, Client, Listener, Services, stopping).RunAsync();

    /// <summary>Queue ids of the envelopes in active/, in arrival order.</summary>
    public string[] ActiveQueueIds() => System.IO.Directory.GetFiles(Spool.StateDirectory(QueueState.Active), "*.json")
        .Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToArray();

    public byte[] MessageBytes(string queueId) => File.ReadAllBytes(Spool.MessagePath(queueId));

    /// <summary>Splits a stored message into our Received: field (with its folded lines) and the client's bytes.</summary>
    public static (string Received, byte[] ClientBytes) SplitReceived(byte[] stored)
    {
        int pos = 0;
        while (true)
        {
            int lf = Array.IndexOf(stored, (byte)'\n', pos);
            if (lf < 0) throw new InvalidDataException("no end of the Received: field");
            pos = lf + 1;
            if (pos >= stored.Length || (stored[pos] != (byte)' ' && stored[pos] != (byte)'\t')) break;
        }
        return (Encoding.UTF8.GetString(stored, 0, pos), stored[pos..]);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
