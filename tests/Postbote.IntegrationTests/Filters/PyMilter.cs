using System.Diagnostics;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Filters;

/// <summary>
/// A real milter written with python3-milter (Debian's pymilter, libmilter underneath; it loads only in
/// /usr/bin/python3), started privately on a unix socket in a temporary directory. Its behaviour is one mode per
/// test (reject, tempfail, discard, quarantine, headers, chgfrom, rcpts, replbody, hang...); every callback it gets
/// is written to an event file, one line each, for the test to read.
/// </summary>
internal sealed class PyMilter : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, time, Milter
        sock, mode, events = sys.argv[1], sys.argv[2], sys.argv[3]
        def note(*words):
            with open(events, 'a') as f:
                f.write(' '.join(str(w) for w in words) + '\n')
        class TestMilter(Milter.Base):
            def connect(self, hostname, family, hostaddr):
                note('connect', hostname, hostaddr[0], 'j=' + str(self.getsymval('j')), 'daemon=' + str(self.getsymval('{daemon_name}')),
                     'client_addr=' + str(self.getsymval('{client_addr}')))
                return Milter.REJECT if mode == 'reject-connect' else Milter.CONTINUE
            def hello(self, name):
                note('helo', name)
                return Milter.CONTINUE
            def envfrom(self, sender, *params):
                note('mail', sender, 'i=' + str(self.getsymval('i')), 'mail_addr=' + str(self.getsymval('{mail_addr}')),
                     'auth_authen=' + str(self.getsymval('{auth_authen}')), *params)
                if mode == 'reject-mail':
                    self.setreply('550', '5.7.1', 'Sender refused by test milter')
                    return Milter.REJECT
                return Milter.CONTINUE
            def envrcpt(self, rcpt, *params):
                note('rcpt', rcpt, 'rcpt_addr=' + str(self.getsymval('{rcpt_addr}')))
                if mode == 'reject-rcpt' and 'refuse' in rcpt:
                    self.setreply('550', '5.1.1', 'Recipient refused by test milter')
                    return Milter.REJECT
                return Milter.CONTINUE
            def data(self):
                note('data')
                return Milter.CONTINUE
            def header(self, name, value):
                note('header', name + ':', value.replace('\n', '\\n'))
                return Milter.CONTINUE
            def eoh(self):
                note('eoh')
                return Milter.CONTINUE
            def body(self, chunk):
                note('body', len(chunk))
                return Milter.CONTINUE
            def eom(self):
                note('eom', 'i=' + str(self.getsymval('i')))
                if mode == 'reject':
                    self.setreply('554', '5.7.1', 'Rejected by test milter')
                    return Milter.REJECT
                if mode == 'multiline':
                    self.setreply('550', '5.7.0', 'first line', 'second line')
                    return Milter.REJECT
                if mode == 'tempfail':
                    return Milter.TEMPFAIL
                if mode == 'discard':
                    return Milter.DISCARD
                if mode == 'quarantine':
                    self.quarantine('held by test milter')
                if mode == 'headers':
                    self.addheader('X-Milter', 'added')
                    self.addheader('X-Top', 'inserted at the top', 0)
                    self.chgheader('Subject', 1, 'changed by milter')
                    self.chgheader('X-Drop', 1, '')
                if mode == 'chgfrom':
                    self.chgfrom('<new-sender@remote.example>')
                if mode == 'rcpts':
                    self.addrcpt('<added@test.local>')
                    self.delrcpt('<bob@test.local>')
                if mode == 'replbody':
                    self.replacebody(b'replaced by the milter\n')
                if mode == 'hang':
                    time.sleep(30)
                return Milter.ACCEPT
            def abort(self):
                note('abort')
                return Milter.CONTINUE
            def close(self):
                note('close')
                return Milter.CONTINUE
        Milter.factory = TestMilter
        Milter.set_flags(Milter.ADDHDRS | Milter.CHGHDRS | Milter.CHGBODY | Milter.ADDRCPT | Milter.DELRCPT | Milter.QUARANTINE | Milter.CHGFROM)
        note('ready')
        Milter.runmilter('postbote-test', 'unix:' + sock, 30)
        """;

    private readonly Process _process;
    private readonly string _dir;

    private PyMilter(Process process, string dir)
    {
        _process = process;
        _dir = dir;
    }

    public string Socket => Path.Combine(_dir, "milter.sock");
    public string Address => "unix:" + Socket;
    private string EventFile => Path.Combine(_dir, "events");

    /// <summary>The callbacks the milter got so far, one line each ("mail &lt;a@b&gt; i=...").</summary>
    public IReadOnlyList<string> Events => File.Exists(EventFile) ? File.ReadAllLines(EventFile) : [];

    public static async Task<PyMilter> StartAsync(string mode)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pb-milter-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(dir);
        var script = Path.Combine(dir, "testfilter.py"); // not milter.py: that would shadow pymilter's C module "milter"
        await File.WriteAllTextAsync(script, Script);
        var psi = new ProcessStartInfo(Python) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { script, Path.Combine(dir, "milter.sock"), mode, Path.Combine(dir, "events") }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var milter = new PyMilter(process, dir);
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        // Ready when libmilter has bound its socket (bounded wait).
        bool up = await LocalDelivery.LocalMail.WaitUntilAsync(() => File.Exists(milter.Socket) || process.HasExited, TimeSpan.FromSeconds(20));
        if (!up || process.HasExited)
        {
            var why = process.HasExited ? await stderr : "no socket after 20 s";
            await milter.DisposeAsync();
            throw new InvalidOperationException("python3-milter did not start: " + why);
        }
        return milter;
    }

    public async ValueTask DisposeAsync()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        try { System.IO.Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A fact that is skipped, saying which, when a Debian package's file is missing (scripts/install-test-deps.sh installs them).</summary>
public sealed class RequiresFilesFactAttribute : FactAttribute
{
    public const string PyMilter = "/usr/lib/python3/dist-packages/Milter/__init__.py";
    public const string OpenDkim = "/usr/sbin/opendkim";
    public const string PyDkim = "/usr/lib/python3/dist-packages/dkim/__init__.py";
    public const string Rspamd = "/usr/bin/rspamd";

    public RequiresFilesFactAttribute(params string[] files)
    {
        var missing = files.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0) Skip = $"not installed: {string.Join(", ", missing)} (run scripts/install-test-deps.sh)";
    }
}
