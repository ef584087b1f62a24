using System.Text;

namespace Postbote.TestSupport.Peers;

/// <summary>
/// A private Postfix instance in a temporary directory (own config_directory, queue_directory,
/// data_directory, maillog_file), listening with smtpd on a free 127.0.0.1 port. Started with
/// <c>postfix -c DIR start</c>; the system's postfix is never touched. Needs root (Postfix's master
/// runs as root and drops to mail_owner postfix).
/// Modes: <see cref="FinalDestination"/> (virtual(8) delivers the domain into Maildirs under the work
/// directory) and <see cref="RelayTo"/> (relays the domain to a relayhost such as <see cref="SmtpSink"/>).
/// </summary>
public sealed class PostfixInstance : IAsyncDisposable
{
    private const string PostfixBinary = "/usr/sbin/postfix";
    private const string DaemonDirectory = "/usr/lib/postfix/sbin";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string? _relayHost;
    private readonly int _relayPort;
    private readonly string[] _mailboxes;
    private bool _started;

    private PostfixInstance(string domain, string[] mailboxes, string? relayHost, int relayPort)
    {
        Domain = domain;
        _mailboxes = mailboxes;
        _relayHost = relayHost;
        _relayPort = relayPort;
        Port = LoopbackPort.Free();
        WorkDirectory = PeerCommand.CreateWorkDirectory("postbote-postfix-");
    }

    /// <summary>Null when Postfix can run here; otherwise why not (for a skip message).</summary>
    public static string? UnavailableReason =>
        !File.Exists(PostfixBinary) ? $"{PostfixBinary} not installed (run scripts/install-test-deps.sh)"
        : !File.Exists(Path.Combine(DaemonDirectory, "master")) ? $"{DaemonDirectory}/master not installed"
        : PeerCommand.LookupUser("postfix") is null ? "system user 'postfix' does not exist"
        : !Environment.IsPrivilegedProcess ? "a private Postfix instance needs root"
        : null;

    public static bool IsAvailable => UnavailableReason is null;

    /// <summary>Final destination for <paramref name="domain"/>: each listed mailbox (local part or
    /// full address) gets its own Maildir, every other recipient of the domain a catch-all one.</summary>
    public static PostfixInstance FinalDestination(string domain, params string[] mailboxes) => new(domain, mailboxes, null, 0);

    /// <summary>Accepts mail for <paramref name="domain"/> (and anything from loopback) and relays it to
    /// relayhost [<paramref name="relayHost"/>]:<paramref name="relayPort"/> without DNS or TLS.</summary>
    public static PostfixInstance RelayTo(string domain, string relayHost, int relayPort) => new(domain, [], relayHost, relayPort);

    public string Domain { get; }
    /// <summary>The 127.0.0.1 port of its smtpd.</summary>
    public int Port { get; }
    public string WorkDirectory { get; }
    public string ConfigDirectory => Path.Combine(WorkDirectory, "etc");
    public string QueueDirectory => Path.Combine(WorkDirectory, "queue");
    public string MailDirectory => Path.Combine(WorkDirectory, "mail");
    public string MaillogPath => Path.Combine(WorkDirectory, "maillog");

    /// <summary>Extra or overriding main.cf settings, applied at <see cref="StartAsync"/>.</summary>
    public IDictionary<string, string> MainCf { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (UnavailableReason is { } reason) throw new InvalidOperationException(reason);
        if (_started) return;
        var (uid, gid) = PeerCommand.LookupUser("postfix")!.Value;
        Directory.CreateDirectory(ConfigDirectory);
        Directory.CreateDirectory(QueueDirectory);
        Directory.CreateDirectory(Path.Combine(WorkDirectory, "data"));
        Directory.CreateDirectory(MailDirectory);
        await File.WriteAllTextAsync(Path.Combine(ConfigDirectory, "main.cf"), BuildMainCf(uid, gid), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(ConfigDirectory, "master.cf"), BuildMasterCf(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(ConfigDirectory, "vmailbox"), BuildMailboxMap(), cancellationToken);
        await PeerCommand.ChownAsync("postfix:postfix", Path.Combine(WorkDirectory, "data"), cancellationToken);
        await PeerCommand.ChownAsync("postfix:postfix", MailDirectory, cancellationToken);

        var result = await PeerCommand.RunAsync(PostfixBinary, ["-c", ConfigDirectory, "start"], StartTimeout, cancellationToken);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"postfix -c {ConfigDirectory} start exited {result.ExitCode}: {result.Output}\n{PeerCommand.Tail(MaillogPath)}");
        _started = true;
        if (!await LoopbackPort.WaitUntilAcceptingAsync(Port, StartTimeout, cancellationToken))
            throw new TimeoutException($"Postfix did not accept on 127.0.0.1:{Port} within {StartTimeout}\n{PeerCommand.Tail(MaillogPath)}");
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_started) return;
        _started = false;
        // Read before stopping: postfix stop removes the file.
        int? masterPid = await ReadPidAsync(Path.Combine(QueueDirectory, "pid", "master.pid"), cancellationToken);
        await PeerCommand.RunAsync(PostfixBinary, ["-c", ConfigDirectory, "stop"], StartTimeout, cancellationToken);
        if (masterPid is { } pid)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (Directory.Exists($"/proc/{pid}") && !PeerCommand.IsZombie(pid) && DateTime.UtcNow < deadline)
                await Task.Delay(50, cancellationToken);
            if (Directory.Exists($"/proc/{pid}") && !PeerCommand.IsZombie(pid))
                await PeerCommand.RunAsync(PostfixBinary, ["-c", ConfigDirectory, "abort"], StartTimeout, cancellationToken);
        }
    }

    /// <summary>The Maildir that receives mail for <paramref name="address"/> (a local part or full address).</summary>
    public string MaildirOf(string address)
    {
        var local = address.Contains('@') ? address[..address.LastIndexOf('@')] : address;
        var known = _mailboxes.Select(LocalPart).Contains(local, StringComparer.OrdinalIgnoreCase);
        return Path.Combine(MailDirectory, Domain, known ? local.ToLowerInvariant() : "_catchall");
    }

    /// <summary>Files delivered so far for <paramref name="address"/>.</summary>
    public IReadOnlyList<string> ReceivedFiles(string address) => PeerMaildir.MessageFiles(MaildirOf(address));

    /// <summary>Waits (bounded) until <paramref name="count"/> messages were delivered for <paramref name="address"/>.</summary>
    public Task<IReadOnlyList<string>> WaitForMessagesAsync(string address, int count, TimeSpan timeout, CancellationToken cancellationToken = default)
        => PeerMaildir.WaitForMessagesAsync(MaildirOf(address), count, timeout, cancellationToken);

    /// <summary>The instance's mail log (maillog_file), for assertions and failure messages.</summary>
    public string ReadMaillog() => File.Exists(MaillogPath) ? File.ReadAllText(MaillogPath) : "";

    /// <summary>Asks the queue manager to retry deferred mail now (<c>postqueue -c DIR -f</c>).</summary>
    public Task FlushQueueAsync(CancellationToken cancellationToken = default)
        => PeerCommand.RunCheckedAsync("/usr/sbin/postqueue", ["-c", ConfigDirectory, "-f"], StartTimeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        catch (Exception) when (Directory.Exists(ConfigDirectory))
        {
            // Never leave a master behind: abort kills the whole instance.
            await PeerCommand.RunAsync(PostfixBinary, ["-c", ConfigDirectory, "abort"], StartTimeout);
            throw;
        }
        finally
        {
            if (!PeerCommand.KeepWorkDirectories)
                try { Directory.Delete(WorkDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private string BuildMainCf(int uid, int gid)
    {
        var settings = new List<KeyValuePair<string, string>>
        {
            new("compatibility_level", "3.6"),
            new("config_directory", ConfigDirectory),
            new("queue_directory", QueueDirectory),
            new("data_directory", Path.Combine(WorkDirectory, "data")),
            new("mail_owner", "postfix"),
            new("setgid_group", "postdrop"),
            new("myhostname", "postfix-peer." + Domain),
            new("mydomain", Domain),
            new("myorigin", "$myhostname"),
            new("mydestination", ""),
            new("inet_interfaces", "127.0.0.1"),
            new("inet_protocols", "ipv4"),
            new("mynetworks", "127.0.0.0/8"),
            new("alias_maps", ""),
            new("alias_database", ""),
            new("local_recipient_maps", ""),
            new("maillog_file_prefixes", WorkDirectory),
            new("maillog_file", MaillogPath),
            new("smtpd_peername_lookup", "no"),
            new("smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination"),
            new("smtp_tls_security_level", "none"),
            new("smtpd_tls_security_level", "none"),
            new("smtputf8_enable", "yes"),
            new("biff", "no"),
            new("notify_classes", ""),
        };
        if (_relayHost is null)
        {
            settings.Add(new("virtual_mailbox_domains", Domain));
            settings.Add(new("virtual_mailbox_base", MailDirectory));
            // texthash: needs no postmap; regexp maps may not substitute in virtual_mailbox_maps.
            settings.Add(new("virtual_mailbox_maps", "texthash:" + Path.Combine(ConfigDirectory, "vmailbox")));
            settings.Add(new("virtual_uid_maps", $"static:{uid}"));
            settings.Add(new("virtual_gid_maps", $"static:{gid}"));
        }
        else
        {
            settings.Add(new("relay_domains", Domain));
            settings.Add(new("relayhost", $"[{_relayHost}]:{_relayPort}"));
            settings.Add(new("smtp_dns_support_level", "disabled"));
        }
        var text = new StringBuilder("# private Postfix instance written by Postbote.TestSupport.Peers.PostfixInstance\n");
        var merged = settings.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (key, value) in MainCf) merged[key] = value;
        foreach (var (key, value) in merged) text.Append(key).Append(" = ").Append(value).Append('\n');
        return text.ToString();
    }

    private string BuildMasterCf()
    {
        // No chroot anywhere: the work directory holds no chroot jail.
        return $"""
            # service type  private unpriv  chroot  wakeup  maxproc command
            127.0.0.1:{Port} inet n - n - - smtpd
            pickup    unix  n       -       n       60      1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            tlsmgr    unix  -       -       n       1000?   1       tlsmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            flush     unix  n       -       n       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            smtp      unix  -       -       n       -       -       smtp
            relay     unix  -       -       n       -       -       smtp
            showq     unix  n       -       n       -       -       showq
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            local     unix  -       n       n       -       -       local
            virtual   unix  -       n       n       -       -       virtual
            lmtp      unix  -       -       n       -       -       lmtp
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd

            """;
    }

    private string BuildMailboxMap()
    {
        var map = new StringBuilder();
        foreach (var local in _mailboxes.Select(LocalPart).Distinct(StringComparer.OrdinalIgnoreCase))
            map.Append($"{local}@{Domain} {Domain}/{local.ToLowerInvariant()}/\n");
        map.Append($"@{Domain} {Domain}/_catchall/\n");
        return map.ToString();
    }

    private static string LocalPart(string mailbox) => mailbox.Contains('@') ? mailbox[..mailbox.LastIndexOf('@')] : mailbox;

    // master.pid is flock()ed by the master, and .NET's File.Open takes a conflicting shared flock,
    // so the pid is read by cat(1), which takes no lock.
    private static async Task<int?> ReadPidAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) return null;
        var result = await PeerCommand.RunAsync("/bin/cat", [path], TimeSpan.FromSeconds(10), cancellationToken);
        return result.ExitCode == 0 && int.TryParse(result.Output.Trim(), out var pid) ? pid : null;
    }
}
