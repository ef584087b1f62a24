using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests;

/// <summary>The libraries web applications send mail with: PHPMailer (PHP) and nodemailer (Node.js), over submission with STARTTLS and AUTH.</summary>
public sealed class ApplicationClientTests
{
    private const string User = "app@test.local", Password = "app-Passw0rd!";

    private static string NodeDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !System.IO.Directory.Exists(Path.Combine(dir.FullName, "tests", "interop", "node"))) dir = dir.Parent;
            return dir is null ? "" : Path.Combine(dir.FullName, "tests", "interop", "node");
        }
    }

    [RequiresToolFact("php")]
    public async Task PHPMailer_Submission587_StartTls_AuthLogin()
    {
        if (!File.Exists("/usr/share/php/libphp-phpmailer/autoload.php")) Assert.Fail("libphp-phpmailer is not installed (scripts/install-test-deps.sh installs it)");
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync(User, Password);
        var script = $$"""
            <?php
            require '/usr/share/php/libphp-phpmailer/autoload.php';
            use PHPMailer\PHPMailer\PHPMailer;
            $m = new PHPMailer(true);
            $m->isSMTP(); $m->Host = '127.0.0.1'; $m->Port = {{server.SubmissionPort}};
            $m->SMTPSecure = PHPMailer::ENCRYPTION_STARTTLS; $m->SMTPAuth = true; $m->AuthType = 'LOGIN';
            $m->Username = '{{User}}'; $m->Password = '{{Password}}';
            $m->SMTPOptions = ['ssl' => ['verify_peer' => false, 'verify_peer_name' => false, 'allow_self_signed' => true]];
            $m->setFrom('{{User}}', 'The App'); $m->addAddress('customer@far.example');
            $m->Subject = 'Ihre Bestellung'; $m->Body = "Danke für Ihre Bestellung.\n.\nEnde";
            $m->send();
            echo "SENT\n";
            """;
        var r = await ExternalTool.RunAsync("php", Array.Empty<string>(), stdin: script);
        Assert.True(r.ExitCode == 0 && r.Stdout.Contains("SENT"), r.Output);
        var env = Assert.Single(server.Queued());
        Assert.Equal(User, env.AuthenticatedUser);
        Assert.Equal("customer@far.example", Assert.Single(env.Recipients).Address);
    }

    [RequiresToolFact("node")]
    public async Task Nodemailer_Submission587_StartTls_AuthPlain_And465()
    {
        var nodeModules = Path.Combine(NodeDirectory, "node_modules", "nodemailer");
        if (!System.IO.Directory.Exists(nodeModules)) Assert.Fail($"nodemailer is not installed in {NodeDirectory} (scripts/install-test-deps.sh runs npm ci there)");
        await using var server = await PostboteTestServer.StartAsync();
        await server.AddUserAsync(User, Password);
        var script = $$"""
            const nodemailer = require('nodemailer');
            (async () => {
              for (const [port, secure] of [[{{server.SubmissionPort}}, false], [{{server.SubmissionsPort}}, true]]) {
                const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure, requireTLS: !secure,
                  auth: { user: '{{User}}', pass: '{{Password}}' }, tls: { rejectUnauthorized: false } });
                const info = await t.sendMail({ from: '{{User}}', to: 'someone@far.example', subject: 'node ' + port, text: 'hello from nodemailer' });
                console.log(info.response);
              }
            })().catch(e => { console.error(e); process.exit(1); });
            """;
        var file = Path.Combine(NodeDirectory, $"send-{Guid.NewGuid():N}.js");
        await File.WriteAllTextAsync(file, script);
        try
        {
            var r = await ExternalTool.RunAsync("node", new[] { file });
            Assert.True(r.ExitCode == 0, r.Output);
            Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(r.Stdout, @"250 2\.0\.0 Ok: queued as").Count);
        }
        finally { File.Delete(file); }
        Assert.Equal(2, server.Queued().Count);
    }
}
