using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Postbote.IntegrationTests.Filters;

/// <summary>
/// A private rspamd (Debian rspamd) for one test class: its own configuration, database and temporary directories,
/// a normal worker on a loopback port the kernel picked, no redis (the modules that need it stay unconfigured), a
/// DNS server that does not exist on loopback (nothing leaves the machine), a five-entry TLD list (the full one
/// takes seconds to compile), GTUBE test patterns on, and a Lua rule that forces rspamd's action from the
/// Subject ("pb-action: soft reject") and sets milter headers for "pb-milter". Starts in about a second.
/// </summary>
public sealed class RspamdInstance : IAsyncLifetime
{
    private const string Rules = """
        rspamd_config:register_symbol({
          name = 'PB_TEST_ACTION', type = 'prefilter', priority = 10,
          callback = function(task)
            local subject = task:get_header('Subject') or ''
            local action = subject:match('^pb%-action: (.+)$')
            if action then task:set_pre_result(action, 'Postbote test says ' .. action) end
          end
        })
        rspamd_config:register_symbol({
          name = 'PB_TEST_MILTER', type = 'normal', score = 0.0,
          callback = function(task)
            local subject = task:get_header('Subject') or ''
            if subject:find('pb%-milter') then
              task:set_milter_reply({ add_headers = { ['X-Pb-Test'] = 'added by rspamd', ['X-Pb-Rcpt'] = tostring(#(task:get_recipients('smtp') or {})) },
                remove_headers = { ['X-Remove-Me'] = 0 } })
              return true
            end
          end
        })
        """;

    private Process? _process;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pb-rspamd-" + Guid.NewGuid().ToString("N")[..10]);

    public int Port { get; private set; }
    public string Url => $"http://127.0.0.1:{Port}";
    public string? StartFailure { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(RequiresFilesFactAttribute.Rspamd)) return;
        System.IO.Directory.CreateDirectory(_dir);
        await File.WriteAllTextAsync(Path.Combine(_dir, "rules.lua"), Rules);
        await File.WriteAllTextAsync(Path.Combine(_dir, "tld.dat"), "com\norg\nnet\nexample\nlocal\n");
        // rspamd cannot be told port 0 and report it: ask the kernel for a free one, and try again if it was taken meanwhile.
        for (int attempt = 0; attempt < 3 && _process is null; attempt++)
        {
            Port = FreePort();
            await File.WriteAllTextAsync(Path.Combine(_dir, "rspamd.conf"), Config());
            var psi = new ProcessStartInfo(RequiresFilesFactAttribute.Rspamd) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "-f", "-i", "-c", Path.Combine(_dir, "rspamd.conf") }) psi.ArgumentList.Add(a);
            var process = Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (await LocalDelivery.LocalMail.WaitUntilAsync(() => process.HasExited || Listening(Port), TimeSpan.FromSeconds(30)) && !process.HasExited)
            {
                _process = process;
                return;
            }
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            StartFailure = "rspamd did not start: " + (process.HasExited ? await output : "port not open after 30 s");
            process.Dispose();
        }
    }

    private string Config() => $$"""
        options {
          pidfile = "{{_dir}}/rspamd.pid";
          dbdir = "{{_dir}}";
          tempdir = "{{_dir}}";
          enable_test_patterns = true;
          filters = "";
          dns { nameserver = ["127.0.0.1:1"]; timeout = 0.2s; retransmits = 1; }
          control_socket = "{{_dir}}/control.sock mode=0600";
          history_file = "{{_dir}}/history";
          cache_file = "{{_dir}}/symbols.cache";
          url_tld = "{{_dir}}/tld.dat";
        }
        logging { type = "console"; level = "warning"; }
        lua = "{{_dir}}/rules.lua";
        modules { path = "${PLUGINSDIR}"; }
        milter_headers { use = ["x-spamd-result", "x-rspamd-queue-id"]; skip_local = false; skip_authenticated = false; }
        actions { reject = 15; add_header = 6; greylist = 4; }
        worker "normal" { bind_socket = "127.0.0.1:{{Port}}"; count = 1; task_timeout = 8s; }
        """;

    /// <summary>A loopback port the kernel had free a moment ago (nothing listens on it now).</summary>
    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException) { return false; }
    }

    public async Task DisposeAsync()
    {
        if (_process is { } p)
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            p.Dispose();
        }
        try { System.IO.Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
