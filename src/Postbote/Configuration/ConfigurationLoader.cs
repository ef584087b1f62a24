using System.Net;
using Microsoft.Extensions.Configuration;
using Postbote.Core.Addressing;
using Postbote.Smtpd;

namespace Postbote.Configuration;

/// <summary>
/// Reads the configuration (embedded defaults, then the JSON file, then POSTBOTE_* environment variables,
/// then --Section:Key=value arguments), binds it, and checks it. Every problem names its key.
/// </summary>
public static class ConfigurationLoader
{
    public static IConfigurationRoot Build(string? file, IEnumerable<string> overrides)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            var full = Path.GetFullPath(file);
            if (!File.Exists(full)) throw new ConfigurationException(new[] { $"configuration file {full} does not exist" });
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables("POSTBOTE_");
        builder.AddCommandLine(overrides.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':')).ToArray());
        return builder.Build();
    }

    /// <summary>Loads and validates; throws <see cref="ConfigurationException"/> listing every problem.</summary>
    public static ResolvedConfiguration Load(string? file, IEnumerable<string> overrides)
    {
        IConfigurationRoot config;
        try { config = Build(file, overrides); }
        catch (InvalidDataException e) { throw new ConfigurationException(new[] { $"configuration file: {e.Message}" }); }
        catch (FormatException e) { throw new ConfigurationException(new[] { $"configuration file: {e.Message}" }); }
        PostboteOptions options;
        // Delivery:Tls was a single value (None/Opportunistic/Required) before it became a section.
        if (config.GetSection("Delivery:Tls").Value is { } legacy)
            throw new ConfigurationException(new[] { $"Delivery:Tls: '{legacy}' is a single value; it is a section now: Delivery:Tls:Level (none, may, encrypt, verify, dane, dane-only; None was none, Opportunistic may, Required encrypt, Required with VerifyCertificate verify)" });
        try
        {
            options = config.Get<PostboteOptions>(b => b.ErrorOnUnknownConfiguration = true) ?? new PostboteOptions();
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key ("...at 'Limits:MessageSizeBytes'..." / "...properties ... not found ...: 'Foo'").
            throw new ConfigurationException(new[] { e.Message + (e.InnerException is null ? "" : " " + e.InnerException.Message) });
        }
        return Resolve(options);
    }

    public static ResolvedConfiguration Resolve(PostboteOptions o)
    {
        var problems = new List<string>();
        string hostname = string.IsNullOrWhiteSpace(o.Hostname) ? System.Net.Dns.GetHostName() : o.Hostname.Trim();
        if (!MailboxParser.IsDomain(hostname, allowUtf8: false)) problems.Add($"Hostname: '{hostname}' is not a valid host name");

        var domains = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in o.Domains ?? new[] { "localhost", hostname })
        {
            if (string.IsNullOrWhiteSpace(d) || !MailboxParser.IsDomain(d.Trim(), allowUtf8: true)) problems.Add($"Domains: '{d}' is not a valid domain");
            else domains.Add(Mailbox.ToAscii(d.Trim()));
        }

        var listeners = new List<SmtpListener>();
        var listenerOptions = o.Listeners ?? new[]
        {
            new ListenerOptions { Name = "mx", Endpoint = "0.0.0.0:25", Role = ListenerRole.Mx },
            new ListenerOptions { Name = "submission", Endpoint = "0.0.0.0:587", Role = ListenerRole.Submission },
            new ListenerOptions { Name = "submissions", Endpoint = "0.0.0.0:465", Role = ListenerRole.Submission, ImplicitTls = true },
        };
        if (listenerOptions.Length == 0) problems.Add("Listeners: at least one listener is needed");
        for (int i = 0; i < listenerOptions.Length; i++)
        {
            var l = listenerOptions[i];
            string key = $"Listeners:{i}";
            if (l.Endpoint is null || !IPEndPoint.TryParse(l.Endpoint, out var ep) || ep.Port == 0 && !l.Endpoint.EndsWith(":0", StringComparison.Ordinal))
            {
                problems.Add($"{key}:Endpoint: '{l.Endpoint}' is not an address:port such as 0.0.0.0:25 or [::]:25");
                continue;
            }
            listeners.Add(new SmtpListener(l.Name ?? $"listener{i}", ep, l.Role, l.ImplicitTls)
            {
                OfferAuth = l.OfferAuth ?? l.Role == ListenerRole.Submission,
                ProxyProtocol = ScreeningConfiguration.ProxyProtocol(l, key, problems),
            });
        }

        var trusted = new List<IPNetwork>();
        foreach (var cidr in o.TrustedNetworks ?? Array.Empty<string>())
        {
            if (IPNetwork.TryParse(cidr.Trim(), out var net)) trusted.Add(net);
            else if (IPAddress.TryParse(cidr.Trim(), out var single)) trusted.Add(new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            else problems.Add($"TrustedNetworks: '{cidr}' is not a CIDR range such as 192.168.0.0/16");
        }

        problems.AddRange(o.Limits.Validate());
        problems.AddRange(o.Dkim.Validate());
        ScreeningConfiguration.Validate(o, problems);
        FiltersConfiguration.Validate(o, problems);
        if (string.IsNullOrEmpty(o.Tls.CertificateFile) != string.IsNullOrEmpty(o.Tls.KeyFile))
            problems.Add("Tls:CertificateFile and Tls:KeyFile must be given together");
        if (!string.IsNullOrEmpty(o.Tls.CertificateFile) && !File.Exists(o.Tls.CertificateFile)) problems.Add($"Tls:CertificateFile: {o.Tls.CertificateFile} does not exist");
        if (!string.IsNullOrEmpty(o.Tls.KeyFile) && !File.Exists(o.Tls.KeyFile)) problems.Add($"Tls:KeyFile: {o.Tls.KeyFile} does not exist");

        foreach (var s in o.Dns.Servers ?? Array.Empty<string>())
            if (!IPEndPoint.TryParse(s, out _) && !IPAddress.TryParse(s, out _)) problems.Add($"Dns:Servers: '{s}' is not an IP address or ip:port");
        if (o.Dns.Timeout <= TimeSpan.Zero) problems.Add("Dns:Timeout must be positive");
        if (o.Dns.CacheMaxEntries < 0) problems.Add("Dns:CacheMaxEntries must be 0 (no cache) or more");
        if (o.Dns.CacheMaxTtl < TimeSpan.Zero) problems.Add("Dns:CacheMaxTtl must not be negative");
        if (o.Dns.NegativeCacheMaxTtl < TimeSpan.Zero) problems.Add("Dns:NegativeCacheMaxTtl must not be negative");
        problems.AddRange(o.MailAuth.Validate());
        problems.AddRange(o.Srs.Validate());
        if (o.MailAuth.DmarcEnabled && o.MailAuth.PublicSuffixList is { Length: > 0 } psl
            && psl != Postbote.MailAuth.MailAuthOptions.DefaultPublicSuffixList && !File.Exists(psl))
            problems.Add($"MailAuth:PublicSuffixList: {psl} does not exist");

        if (o.Relayhost is { } relay && relay.Host is not null)
        {
            if (relay.Host.Length == 0) problems.Add("Relayhost:Host must not be empty");
            if (relay.Port is < 1 or > 65535) problems.Add("Relayhost:Port must be 1..65535");
            if (relay.Tls is not ("StartTls" or "Implicit" or "None")) problems.Add("Relayhost:Tls must be StartTls, Implicit or None");
            if (relay.User is not null && relay.PasswordFile is null) problems.Add("Relayhost:PasswordFile is required with Relayhost:User");
            if (relay.PasswordFile is not null && !File.Exists(relay.PasswordFile)) problems.Add($"Relayhost:PasswordFile: {relay.PasswordFile} does not exist");
        }

        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(o.LogLevel, ignoreCase: true, out _))
            problems.Add($"LogLevel: '{o.LogLevel}' is not one of Trace, Debug, Information, Warning, Error, Critical");
        var tlsProblems = o.Delivery.Tls.Validate();
        problems.AddRange(tlsProblems);
        if (tlsProblems.Count == 0)
        {
            try { Postbote.Delivery.Tls.TlsPolicyTable.Build(o.Delivery.Tls); } // reads the CA files: a bad one stops the start here
            catch (ArgumentException e) { problems.Add(e.Message); }
        }
        if (o.Delivery.Port is < 1 or > 65535) problems.Add("Delivery:Port must be 1..65535");
        if (o.LocalDelivery.LmtpDomains is { Length: > 0 } && string.IsNullOrEmpty(o.LocalDelivery.Lmtp)) problems.Add("LocalDelivery:Lmtp is required with LocalDelivery:LmtpDomains");
        if (!o.LocalDelivery.MaildirPath.Contains("{localpart}") && !o.LocalDelivery.MaildirPath.Contains("{user}")) problems.Add("LocalDelivery:MaildirPath must contain {localpart} or {user}");
        if (o.LocalDelivery.QuotaUsageCacheLifetime < TimeSpan.Zero) problems.Add("LocalDelivery:QuotaUsageCacheLifetime must not be negative");
        o.Queue.Hostname = hostname;
        // Double bounces must reach a mailbox here: the hostname's postmaster only if the hostname is a local domain.
        if (string.IsNullOrEmpty(o.Queue.PostmasterAddress) && domains.Count > 0)
            o.Queue.PostmasterAddress = "postmaster@" + (domains.Contains(hostname) ? hostname : domains.Order(StringComparer.Ordinal).First());
        try { o.Queue.Validate(); }
        catch (ArgumentException e) { problems.Add(e.Message.Split(" (Parameter")[0]); }
        try { o.Delivery.Client.Validate(); }
        catch (ArgumentException e) { problems.Add(e.Message.Split(" (Parameter")[0]); }

        o.Directory.Validate(problems);
        if (o.NodeName is not null && (o.NodeName.Length is 0 or > 64 || !o.NodeName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
            problems.Add($"NodeName: '{o.NodeName}' must be 1 to 64 characters of letters, digits, '.', '-', '_'");
        var httpEndpoint = HttpOptions.Resolve(o.Http, problems);
        if (problems.Count > 0) throw new ConfigurationException(problems);

        var server = new SmtpServerOptions
        {
            Hostname = hostname,
            NodeName = o.NodeName ?? hostname,
            LocalDomains = domains,
            Limits = o.Limits,
            TrustedNetworks = trusted,
            AllowCleartextAuth = o.Auth.AllowCleartext,
            LegacyAuthLine = o.Auth.LegacyAuthLine,
            AuthenticatedUserInReceived = o.Auth.UserInReceived,
            CheckFromHeader = o.Auth.CheckFromHeader,
        };
        return new ResolvedConfiguration(o, server, listeners, Path.GetFullPath(o.DataDirectory)) { HttpEndpoint = httpEndpoint };
    }
}

/// <summary>The checked configuration the server runs with.</summary>
public sealed record ResolvedConfiguration(PostboteOptions Options, SmtpServerOptions Server, IReadOnlyList<SmtpListener> Listeners, string DataDirectory)
{
    public string QueueDirectory => Path.Combine(DataDirectory, "queue");
    public string DirectoryDatabase => Path.Combine(DataDirectory, "directory.db");
    /// <summary>Where /metrics listens (Http:Endpoint); null: no HTTP listener.</summary>
    public IPEndPoint? HttpEndpoint { get; init; }
}

/// <summary>A configuration that cannot be used; each problem names its key.</summary>
public sealed class ConfigurationException(IReadOnlyList<string> problems) : Exception("invalid configuration:\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
