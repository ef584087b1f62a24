using System.Text;

namespace Postbote.TestSupport.Peers;

/// <summary>
/// A private Dovecot (<c>dovecot -c FILE</c>) in a temporary directory: own base_dir, state_dir and log
/// file, one passwd-file user with a plain password, Maildir under the work directory, LMTP and IMAP
/// on free 127.0.0.1 ports, no TLS. Internal processes run as <c>dovecot</c>, login processes as
/// <c>dovenull</c>, and the mailbox is owned by the <c>dovecot</c> user, so it runs when started as root.
/// </summary>
public sealed class DovecotInstance : IAsyncDisposable
{
    private const string DovecotBinary = "/usr/sbin/dovecot";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private bool _started;

    public DovecotInstance(string user = "bob", string password = "secret", string domain = "example.test")
    {
        User = user;
        Password = password;
        Domain = domain;
        ImapPort = LoopbackPort.Free();
        LmtpPort = LoopbackPort.Free();
        while (LmtpPort == ImapPort) LmtpPort = LoopbackPort.Free();
        WorkDirectory = PeerCommand.CreateWorkDirectory("postbote-dovecot-");
    }

    /// <summary>Null when Dovecot with IMAP and LMTP can run here; otherwise why not.</summary>
    public static string? UnavailableReason =>
        !File.Exists(DovecotBinary) ? $"{DovecotBinary} not installed (run scripts/install-test-deps.sh)"
        : !File.Exists("/usr/lib/dovecot/imap") ? "dovecot-imapd not installed"
        : !File.Exists("/usr/lib/dovecot/lmtp") ? "dovecot-lmtpd not installed"
        : PeerCommand.LookupUser("dovecot") is null || PeerCommand.LookupUser("dovenull") is null ? "system users dovecot/dovenull do not exist"
        : null;

    public static bool IsAvailable => UnavailableReason is null;

    /// <summary>The login name for IMAP (LMTP accepts it under any domain, username_format=%n).</summary>
    public string User { get; }
    public string Password { get; }
    public string Domain { get; }
    /// <summary>The address LMTP delivers to the user's INBOX.</summary>
    public string Address => $"{User}@{Domain}";
    public int ImapPort { get; }
    public int LmtpPort { get; }
    public string WorkDirectory { get; }
    public string ConfigPath => Path.Combine(WorkDirectory, "dovecot.conf");
    public string LogPath => Path.Combine(WorkDirectory, "dovecot.log");
    public string HomeDirectory => Path.Combine(WorkDirectory, "mail", User);
    /// <summary>The user's INBOX Maildir.</summary>
    public string MaildirPath => Path.Combine(HomeDirectory, "Maildir");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (UnavailableReason is { } reason) throw new InvalidOperationException(reason);
        if (_started) return;
        var (uid, gid) = PeerCommand.LookupUser("dovecot")!.Value;
        Directory.CreateDirectory(Path.Combine(WorkDirectory, "base"));
        Directory.CreateDirectory(Path.Combine(WorkDirectory, "state"));
        Directory.CreateDirectory(HomeDirectory);
        var users = Path.Combine(WorkDirectory, "users");
        await File.WriteAllTextAsync(users, $"{User}:{{PLAIN}}{Password}:{uid}:{gid}::{HomeDirectory}\n", cancellationToken);
        await File.WriteAllTextAsync(ConfigPath, BuildConfig(users), cancellationToken);
        if (Environment.IsPrivilegedProcess) await PeerCommand.ChownAsync("dovecot:dovecot", Path.Combine(WorkDirectory, "mail"), cancellationToken);

        var result = await PeerCommand.RunAsync(DovecotBinary, ["-c", ConfigPath], StartTimeout, cancellationToken);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"dovecot -c {ConfigPath} exited {result.ExitCode}: {result.Output}\n{PeerCommand.Tail(LogPath)}");
        _started = true;
        foreach (var port in new[] { LmtpPort, ImapPort })
            if (!await LoopbackPort.WaitUntilAcceptingAsync(port, StartTimeout, cancellationToken))
                throw new TimeoutException($"Dovecot did not accept on 127.0.0.1:{port} within {StartTimeout}\n{PeerCommand.Tail(LogPath)}");
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_started) return;
        _started = false;
        var pidFile = Path.Combine(WorkDirectory, "base", "master.pid");
        int? pid = File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var p) ? p : null;
        await PeerCommand.RunAsync(DovecotBinary, ["-c", ConfigPath, "stop"], StartTimeout, cancellationToken);
        if (pid is { } masterPid)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (Directory.Exists($"/proc/{masterPid}") && !PeerCommand.IsZombie(masterPid) && DateTime.UtcNow < deadline)
                await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Dovecot's log (log_path), for assertions and failure messages.</summary>
    /// <summary>Dovecot's SASL socket for a private Postfix (smtpd_sasl_type = dovecot, smtpd_sasl_path = this).</summary>
    public string AuthSocketPath => Path.Combine(WorkDirectory, "base", "auth-postfix");

    public string ReadLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    /// <summary>Message files in the user's INBOX Maildir.</summary>
    public IReadOnlyList<string> ReceivedFiles() => PeerMaildir.MessageFiles(MaildirPath);

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        finally
        {
            if (!PeerCommand.KeepWorkDirectories)
                try { Directory.Delete(WorkDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private string BuildConfig(string users)
    {
        var instance = "postbote-" + Path.GetFileName(WorkDirectory);
        var conf = new StringBuilder($$"""
            # private Dovecot written by Postbote.TestSupport.Peers.DovecotInstance
            base_dir = {{WorkDirectory}}/base
            state_dir = {{WorkDirectory}}/state
            instance_name = {{instance}}
            log_path = {{LogPath}}
            info_log_path = {{LogPath}}
            protocols = imap lmtp
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            default_internal_user = dovecot
            default_login_user = dovenull
            mail_location = maildir:~/Maildir
            first_valid_uid = 1
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%n {{users}}
            }
            userdb {
              driver = passwd-file
              args = username_format=%n {{users}}
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{ImapPort}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service lmtp {
              inet_listener lmtp {
                address = 127.0.0.1
                port = {{LmtpPort}}
              }
            }
            service pop3-login {
              inet_listener pop3 {
                port = 0
              }
            }
            service submission-login {
              inet_listener submission {
                port = 0
              }
            }
            protocol lmtp {
              postmaster_address = postmaster@{{Domain}}
            }
            service auth {
              unix_listener auth-postfix {
                mode = 0666
              }
            }

            """);
        return conf.ToString();
    }
}
